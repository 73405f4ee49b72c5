// Renders on a worker thread that can be killed: a deadline (OUTPOST_RENDER_TIMEOUT) and a heap limit bound every
// render from outside, so fleet content's regexes, merges and parses never run on the server's event loop and
// a render that spins or bloats ends in a named RenderError instead of stalling or killing the node.
import { getCompileCacheDir } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { KubeObject } from '../cluster/types.ts';
import type { FileTree } from '../sources/types.ts';
import { RenderError } from './errors.ts';
import type { RenderOptions } from './index.ts';

export interface RenderLimits {
  /** A render still running after this long is killed. */
  timeoutMs: number;
  /** The worker's heap (old generation); RENDER_WORKER.heapMb unless a test asks for less. */
  heapMb?: number;
}

/** OUTPOST_RENDER_TIMEOUT's default; config.ts reads the setting. */
export const DEFAULT_RENDER_TIMEOUT_MS = 60_000;

/**
 * heapMb: the worker's old generation; a 10,000-object render fits with room to spare, and the node's 448 MiB
 * stays out of reach. idleMs: how long a worker that rendered stays warm for the next render (starting one costs
 * about a second of CPU on a small board) before it stops: long enough for the renders of one run and a preview
 * opened after it, short enough that a heap grown by a large tree is not kept (the server's standby worker, a
 * fresh one, takes its place).
 */
export const RENDER_WORKER = { heapMb: 256, youngMb: 16, stackMb: 4, idleMs: 5_000 };

/** What an error thrown in the worker arrives as: its class name and message survive, as the run reports them. */
class WorkerRenderError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Reply {
  objects?: KubeObject[];
  error?: { name: string; message: string };
}

/** `60s`, `1500ms`: the deadline as the configuration writes it. */
function showDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

// The entry sits next to this module, .ts when run from source and .js in the stripped build.
const ENTRY = new URL(`./worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url);

/** One warm worker between renders; a render that finds it busy (or gone) starts its own. */
let warm: { worker: Worker; heapMb: number; timer?: NodeJS.Timeout } | null = null;

/** Whether a warmed-up worker waits for the next render at all times (the server's choice: keepRenderWorkerReady). */
let standby = false;

function startWorker(heapMb: number): Worker {
  // Nothing of the server's process reaches the worker: no command-line flags (a polluted execArgv once ran
  // code there), no environment (credentials), and a heap of its own size.
  const options = {
    execArgv: [],
    env: {},
    resourceLimits: {
      maxOldGenerationSizeMb: heapMb,
      maxYoungGenerationSizeMb: RENDER_WORKER.youngMb,
      stackSizeMb: RENDER_WORKER.stackMb,
    },
  };
  // A worker does not share its process's compile cache (bin/outpost.js turns it on): a few lines of plain
  // JavaScript turn it on there before the entry loads, so the render's modules are not type-stripped and
  // compiled again on every start (~0.2 s of each `outpost diff` or `sync`).
  const cache = getCompileCacheDir();
  const worker = cache
    ? new Worker(
        `require('node:module').enableCompileCache(${JSON.stringify(cache)}); import(${JSON.stringify(ENTRY.href)});`,
        { ...options, eval: true },
      )
    : new Worker(ENTRY, options);
  worker.once('exit', () => {
    if (warm?.worker === worker) {
      clearTimeout(warm.timer);
      warm = null;
    }
  });
  // An idle worker never keeps the process alive; while it renders, the deadline's timer does.
  worker.unref();
  return worker;
}

function takeWorker(heapMb: number): Worker {
  if (!warm || warm.heapMb !== heapMb) return startWorker(heapMb);
  const { worker, timer } = warm;
  clearTimeout(timer);
  warm = null;
  return worker;
}

/**
 * Keeps a worker that has answered for the next render. One that rendered fleet content stops after a few idle
 * seconds, its heap perhaps grown by a large tree (and, where one stands by, a freshly warmed one takes its place);
 * a standby's warm-up leaves nothing of the fleet's and stays.
 */
function release(worker: Worker, heapMb: number, warmUp: boolean): void {
  if (warm) {
    void worker.terminate();
    return;
  }
  if (warmUp && standby) {
    warm = { worker, heapMb };
    return;
  }
  // Out of reach first, then stopped: terminate() finishes later, and a render must not take a worker on its way out.
  const timer = setTimeout(() => {
    if (warm?.worker === worker) warm = null;
    void worker.terminate();
    restoreStandby();
  }, RENDER_WORKER.idleMs);
  timer.unref();
  warm = { worker, heapMb, timer };
}

/**
 * Starts a worker now, unless one is warm, so that its start-up (~0.2 s here, more on a small board) overlaps
 * what a run does before it renders (fetching, reading variables) instead of adding to it.
 */
export function prewarmRenderWorker(limits: Pick<RenderLimits, 'heapMb'> = {}): void {
  if (warm) return;
  const heapMb = limits.heapMb ?? RENDER_WORKER.heapMb;
  release(startWorker(heapMb), heapMb, false);
}

/**
 * Keeps one worker loaded and warmed up at all times (the server): a sync's render then starts at once, without
 * the worker's start, the renderer's loading and the first, cold pass through its code (~0.2 s of a 200-object
 * sync here, more on a small board), for ~10 MB. Resolves when the first one is ready.
 */
export async function keepRenderWorkerReady(): Promise<void> {
  standby = true;
  if (warmingUp) await warmingUp;
  else if (!warm) await warmRenderWorker();
}

/**
 * Where a worker should stand by and none does (the one that rendered stopped, or a render killed it), a fresh one
 * warms up. A failed warm-up does not come here: a worker that cannot start is not retried in a loop.
 */
function restoreStandby(): void {
  if (standby && !warm && !warmingUp) void warmRenderWorker().catch(() => {});
}

/** A kustomization with one object: enough to load and exercise the render code in a fresh worker. */
const WARM_UP = {
  'kustomization.yaml': 'resources: [cm.yaml]\nnamePrefix: w-\n',
  'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: warm\ndata:\n  k: v\n',
};

/** The warm-up render running now, if any. */
let warmingUp: Promise<unknown> | null = null;

/**
 * Starts the warm worker ahead of the first render and runs the render code once, so that render pays nothing. A
 * render asked for meanwhile waits for this short, trusted one and takes its worker, instead of starting a second
 * worker that would be ready later still.
 */
export function warmRenderWorker(): Promise<void> {
  const run = renderNow(WARM_UP, '.', {}, undefined, true);
  const settled = run.then(
    () => {},
    () => {},
  );
  warmingUp = settled;
  void settled.then(() => {
    if (warmingUp === settled) warmingUp = null;
  });
  return run.then(() => {});
}

/** Stops the warm worker now (shutdown, tests); a later render starts a new one. */
export async function stopRenderWorker(): Promise<void> {
  standby = false;
  const w = warm;
  warm = null;
  if (!w) return;
  clearTimeout(w.timer);
  await w.worker.terminate();
}

export async function renderOffThread(
  files: FileTree,
  root: string,
  opts: RenderOptions = {},
  limits: RenderLimits = { timeoutMs: DEFAULT_RENDER_TIMEOUT_MS },
): Promise<KubeObject[]> {
  if (warmingUp) await warmingUp;
  return renderNow(files, root, opts, limits);
}

function renderNow(
  files: FileTree,
  root: string,
  opts: RenderOptions = {},
  limits: RenderLimits = { timeoutMs: DEFAULT_RENDER_TIMEOUT_MS },
  warmUp = false,
): Promise<KubeObject[]> {
  const heapMb = limits.heapMb ?? RENDER_WORKER.heapMb;
  const worker = takeWorker(heapMb);
  return new Promise((resolve, reject) => {
    let settled = false;
    /** `lost`: the worker did not answer (it failed, stopped or was killed) and will not serve again. */
    const settle = (fn: () => void, lost = true) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      fn();
      if (lost && !warmUp) restoreStandby();
    };
    const onMessage = (m: Reply) =>
      settle(() => {
        release(worker, heapMb, warmUp);
        if (m.error) reject(new WorkerRenderError(m.error.name, m.error.message));
        else resolve(m.objects ?? []);
      }, false);
    const onError = (err: Error & { code?: string }) =>
      settle(() => {
        void worker.terminate();
        reject(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new RenderError(`render ran out of memory (limit ${heapMb} MB)`, { cause: err })
            : new RenderError(`the render worker failed: ${err.message}`, { cause: err }),
        );
      });
    const onExit = (code: number) =>
      settle(() =>
        reject(new RenderError(`the render worker stopped (exit code ${code}) before it answered`)),
      );
    const deadline = setTimeout(
      () =>
        settle(() => {
          void worker.terminate();
          reject(new RenderError(`render took longer than ${showDuration(limits.timeoutMs)}`));
        }),
      limits.timeoutMs,
    );
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.postMessage({ files, root, opts });
  });
}
