// The fuzz tier's harness: each property runs seeded in a worker thread that a watchdog can stop, so a case that
// hangs (a ReDoS, a quadratic parser) or blows the heap fails with its input instead of stalling `npm test`.
//
// Reproduce a failure with the line it prints, e.g.
//   FUZZ_SEED=123 FUZZ_PATH=4:1:0 node --test --test-name-pattern='yaml' test/fuzz/yaml.test.ts
// Environment: FUZZ_SEED (a number, or `random`), FUZZ_RUNS (runs per property), FUZZ_PATH (replay one case),
// FUZZ_CASE_MS (longest one case may take, default 5000), FUZZ_TIME_MS (time for one property's runs),
// FUZZ_DUMP (a file that always holds the whole case being run: the report only shows its start).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import fc from 'fast-check';

/** A property as the worker builds it; `close` releases what the property needed (servers, folders). */
export interface Built {
  property: fc.IRawProperty<unknown, boolean>;
  close?: () => Promise<void> | void;
}

export interface FuzzProperty {
  /** Runs in `npm test`: enough to find the known classes, small enough for a few seconds. */
  runs: number;
  /** The heap the worker may use: a case that needs more fails the property (the memory budget). */
  heapMb?: number;
  build: () => Built | Promise<Built>;
}

// biome-ignore lint/suspicious/noExplicitAny: a class of error, whatever its constructor takes.
type ErrorClass = abstract new (...args: any[]) => Error;

const env = process.env;
const CASE_MS = Number(env.FUZZ_CASE_MS ?? 5_000);
const TIME_MS = Number(env.FUZZ_TIME_MS ?? 15_000);

/** FNV-1a: a fixed seed per property name, so `npm test` always runs the same cases. */
function nameSeed(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h | 0;
}

function seedFor(name: string): number {
  const s = env.FUZZ_SEED;
  if (s === undefined || s === '') return nameSeed(name);
  if (s === 'random') return (Math.random() * 2 ** 31) | 0;
  const n = Number(s);
  if (!Number.isInteger(n)) throw new Error(`FUZZ_SEED must be an integer or "random", not "${s}"`);
  return n;
}

// ---- in the worker: guards every case ----

const PROTOTYPES: [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
];

type Snapshot = Map<string | symbol, PropertyDescriptor>[];

function snapshot(): Snapshot {
  return PROTOTYPES.map(
    ([, p]) => new Map(Reflect.ownKeys(p).map((k) => [k, Object.getOwnPropertyDescriptor(p, k) ?? {}])),
  );
}

function same(a: PropertyDescriptor, b: PropertyDescriptor | undefined): boolean {
  return !!b && a.value === b.value && a.get === b.get && a.set === b.set && a.writable === b.writable;
}

/** What changed on the built-in prototypes since `before`; puts them back so later cases start clean. */
function polluted(before: Snapshot): string[] {
  const found: string[] = [];
  PROTOTYPES.forEach(([label, proto], i) => {
    const was = before[i] as Map<string | symbol, PropertyDescriptor>;
    for (const k of Reflect.ownKeys(proto)) {
      const now = Object.getOwnPropertyDescriptor(proto, k) ?? {};
      if (same(now, was.get(k))) continue;
      found.push(`${label}.${String(k)}`);
      const old = was.get(k);
      if (old) Object.defineProperty(proto, k, old);
      else delete (proto as Record<string | symbol, unknown>)[k];
    }
  });
  for (const probe of ['polluted', 'isAdmin', 'execArgv']) {
    if (({} as Record<string, unknown>)[probe] !== undefined) found.push(`({}).${probe}`);
  }
  return found;
}

let caseNo = 0;

function started(value: unknown): void {
  caseNo++;
  let repr: string;
  try {
    repr = fc.stringify(value);
  } catch {
    repr = '(cannot print the case)';
  }
  // The whole case goes to FUZZ_DUMP when asked: the message below is cut short for the test report.
  if (env.FUZZ_DUMP) writeFileSync(env.FUZZ_DUMP, repr);
  parentPort?.postMessage({
    type: 'start',
    n: caseNo,
    repr: repr.length > 3000 ? `${repr.slice(0, 3000)}…` : repr,
  });
}

function ended(): void {
  parentPort?.postMessage({ type: 'end' });
}

function settle(before: Snapshot, allowed: readonly ErrorClass[], err: unknown, threw: boolean): true {
  const dirty = polluted(before);
  if (dirty.length > 0) throw new Error(`the case polluted ${dirty.join(', ')}`);
  if (threw && !allowed.some((C) => err instanceof C)) {
    const e = err as Error;
    throw new Error(
      `threw ${e?.name ?? typeof err} (not one of ${allowed.map((c) => c.name).join(', ') || 'no error'}): ${e?.message ?? String(err)}`,
      { cause: err },
    );
  }
  return true;
}

/**
 * Runs one case: `fn` may return, or throw one of `allowed`; anything else, or a change to a built-in
 * prototype, fails the case. `value` is the case (the watchdog prints it if the case never ends).
 */
export function guarded(value: unknown, allowed: readonly ErrorClass[], fn: () => void): true {
  started(value);
  const before = snapshot();
  try {
    fn();
  } catch (err) {
    return settle(before, allowed, err, true);
  } finally {
    ended();
  }
  return settle(before, allowed, undefined, false);
}

/** `guarded` for asynchronous work (HTTP requests to a console in the worker). */
export async function guardedAsync(
  value: unknown,
  allowed: readonly ErrorClass[],
  fn: () => Promise<void>,
): Promise<true> {
  started(value);
  const before = snapshot();
  try {
    await fn();
  } catch (err) {
    return settle(before, allowed, err, true);
  } finally {
    ended();
  }
  return settle(before, allowed, undefined, false);
}

async function runInWorker(props: Record<string, FuzzProperty>): Promise<void> {
  const { name, seed, runs, replay } = workerData as {
    name: string;
    seed: number;
    runs: number;
    replay?: string;
  };
  const p = props[name];
  if (!p) throw new Error(`no fuzz property named "${name}"`);
  const built = await p.build();
  let failure: string | null = null;
  try {
    await fc.assert(built.property, {
      seed,
      numRuns: runs,
      ...(replay ? { path: replay } : {}),
      includeErrorInReport: true,
      interruptAfterTimeLimit: TIME_MS,
    });
  } catch (err) {
    failure = (err as Error).message;
  } finally {
    await built.close?.();
  }
  parentPort?.postMessage({ type: 'done', failure });
}

// ---- in the test process: one test per property, each in its own watched worker ----

/** The `path` fast-check prints for a failure (`path: "4:1:0"`), for the reproduce line. */
function pathOf(message: string): string | undefined {
  return /path: "([^"]+)"/.exec(message)?.[1];
}

function watch(file: string, name: string, p: FuzzProperty): Promise<string | null> {
  const seed = seedFor(name);
  const runs = env.FUZZ_RUNS ? Number(env.FUZZ_RUNS) : p.runs;
  const replay = env.FUZZ_PATH || undefined;
  const rel = path.relative(process.cwd(), fileURLToPath(file));
  const again = (at?: string) =>
    `reproduce: FUZZ_SEED=${seed} FUZZ_RUNS=${runs}${at ? ` FUZZ_PATH=${at}` : ''} node --test --test-name-pattern='${name.replaceAll("'", '.')}' ${rel}`;
  process.stdout.write(`# fuzz "${name}": seed ${seed}, ${runs} runs\n`);
  // The worker's temporary files (a fleet's folders) go here, removed even when the watchdog stops it.
  const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-fuzz-'));
  return new Promise((resolve) => {
    const worker = new Worker(new URL(file), {
      workerData: { fuzz: name, name, seed, runs, replay },
      resourceLimits: { maxOldGenerationSizeMb: p.heapMb ?? 256 },
      env: { ...process.env, TMPDIR: tmp },
      stdout: false,
      stderr: false,
    });
    let current: { n: number; repr: string } | null = null;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (failure: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void worker.terminate().finally(() => {
        rmSync(tmp, { recursive: true, force: true });
        resolve(failure);
      });
    };
    worker.on('message', (m: { type: string; n?: number; repr?: string; failure?: string | null }) => {
      if (m.type === 'start') {
        current = { n: m.n ?? 0, repr: m.repr ?? '' };
        clearTimeout(timer);
        timer = setTimeout(() => {
          finish(
            `a case ran longer than ${CASE_MS} ms (the event loop was blocked) — case #${current?.n}:\n${current?.repr}\n${again()}`,
          );
        }, CASE_MS);
      } else if (m.type === 'end') {
        clearTimeout(timer);
      } else if (m.type === 'done') {
        finish(m.failure ? `${m.failure}\n${again(pathOf(m.failure) ?? replay)}` : null);
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const what =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `a case needed more than the ${p.heapMb ?? 256} MB heap budget`
          : `the worker failed: ${err.stack ?? err.message}`;
      finish(`${what} — case #${current?.n}:\n${current?.repr ?? '(before the first case)'}\n${again()}`);
    });
    worker.on('exit', (code) =>
      finish(`the worker stopped (exit code ${code}) before the property finished`),
    );
  });
}

/**
 * Declares the properties of one fuzz file. In the test process each becomes a test that runs it in a worker
 * started from the same file; in that worker, this runs the one property asked for.
 */
export function fuzz(file: string, props: Record<string, FuzzProperty>): void {
  if (!isMainThread) {
    if ((workerData as { fuzz?: string } | null)?.fuzz) {
      runInWorker(props).catch((err: unknown) => {
        parentPort?.postMessage({ type: 'done', failure: `could not run: ${(err as Error).stack ?? err}` });
      });
    }
    return;
  }
  for (const [name, p] of Object.entries(props)) {
    test(name, async () => {
      const failure = await watch(file, name, p);
      if (failure) throw new Error(failure);
    });
  }
}
