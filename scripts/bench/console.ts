// Console latency and memory: Outpost (simulator in its own process, not counted) with 2,000 applied objects,
// p99 of the overview and kiosk under 20 clients from a second process (autocannon), RSS idle and after load,
// next to a bare Node HTTP server. `console-soak` runs the 10-minute load; `console-memory` compares V8 flags.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Browser } from '../../test/support/http.ts';
import { buildOnce, freePort, ROOT, startCommand, waitFor } from '../../test/support/process.ts';
import type { PacedResult } from './load.ts';
import { type SimProcess, startSimProcess } from './sim.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const startFlags = () => startCommand().flags;
const CODE = 'BNCH-CONS-OLE0-RUN1';
const OBJECTS = 2_000;
const DEPLOYMENTS = 50;

interface Proc {
  proc: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function stopper(proc: ChildProcess): () => Promise<void> {
  return async () => {
    if (proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
}

/** 1 Namespace, 50 Deployments (one pod each) and ConfigMaps up to 2,000 objects, as plain YAML. */
function writeFleet(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const docs = ['apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bench\n'];
  for (let i = 0; i < DEPLOYMENTS; i++) {
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: bench
spec:
  replicas: 1
  selector:
    matchLabels: {app: app-${i}}
  template:
    metadata:
      labels: {app: app-${i}}
    spec:
      containers:
        - name: main
          image: registry.example.com/bench/app:${i}
`);
  }
  for (let i = docs.length; i < OBJECTS; i++) {
    docs.push(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: bench\ndata:\n  key: "value-${i}"\n  more: "${'x'.repeat(64)}"\n`,
    );
  }
  // A few files, as a fleet repo would have.
  for (let f = 0; f < 10; f++) {
    writeFileSync(path.join(dir, `part-${f}.yaml`), docs.filter((_, i) => i % 10 === f).join('---\n'));
  }
}

/** Outpost as its own process, with these node flags and entry file (the TypeScript, or a stripped JS copy). */
async function startConsole(
  dir: string,
  kubeconfig: string,
  fleet: string,
  opts: { flags?: string[]; main?: string } = {},
): Promise<Proc & { session: Browser }> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(dir, 'data-'));
  writeFileSync(path.join(dir, 'code'), CODE);
  buildOnce();
  const proc = spawn(process.execPath, [...(opts.flags ?? startFlags()), opts.main ?? startCommand().main], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KUBECONFIG: kubeconfig,
      OUTPOST_PORT: String(port),
      OUTPOST_HOST: '127.0.0.1',
      OUTPOST_DATA_DIR: dataDir,
      OUTPOST_SOURCE_KIND: 'dir',
      OUTPOST_SOURCE_URL: fleet,
      OUTPOST_SOURCE_PATH: '.',
      OUTPOST_ENROLLMENT_CODE_FILE: path.join(dir, 'code'),
      OUTPOST_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('Outpost to answer', async () => (await fetch(`${url}/healthz`)).ok, 30_000, 50);
  // First run: sign in through /setup with the enrollment code, as a technician would.
  const session = new Browser(url);
  await session.page('/setup');
  const res = await session.post('/setup', {
    code: CODE,
    username: 'bench',
    password: 'bench-password-123',
    password2: 'bench-password-123',
  });
  if (res.status !== 303) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
  await session.page('/');
  await waitFor(
    `the first sync of ${OBJECTS} objects`,
    async () => /result-succeeded/.test(await (await session.request('/fragments/sync')).text()),
    300_000,
    500,
  );
  return { proc, url, session, stop: stopper(proc) };
}

interface Load {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
}

/** autocannon in its own process (it must not share Outpost's event loop or CPU accounting). */
function autocannon(url: string, cookie: string, args: string[]): Promise<Load> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js'),
        '--json',
        '-H',
        `Cookie=${cookie}`,
        ...args,
        url,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    proc.once('exit', (code) => {
      try {
        const r = JSON.parse(out) as {
          latency: { p50: number; p99: number };
          requests: { average: number };
          errors: number;
          non2xx: number;
        };
        resolve({
          p50: r.latency.p50,
          p99: r.latency.p99,
          rps: r.requests.average,
          errors: r.errors + r.non2xx,
        });
      } catch (err) {
        reject(new Error(`autocannon exited ${code}: ${out.slice(0, 300)}`, { cause: err }));
      }
    });
  });
}

/** 20 clients, each asking 10 times a second, from a process of their own (scripts/bench/load.ts). */
function paced(url: string, cookie: string, seconds = 15): Promise<Load> {
  return new Promise((resolve, reject) => {
    const args = [path.join(ROOT, 'scripts', 'bench', 'load.ts'), url, '20', '10', String(seconds), cookie];
    const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    proc.once('exit', (code) => {
      try {
        const r = JSON.parse(out) as PacedResult;
        resolve({ p50: r.p50, p99: r.p99, rps: r.rps, errors: r.errors });
      } catch (err) {
        reject(new Error(`load generator exited ${code}: ${out.slice(0, 300)}`, { cause: err }));
      }
    });
  });
}

const cookieOf = (b: Browser) => [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
const fmt = (l: Load) =>
  `p99 ${l.p99} ms · p50 ${l.p50} ms · ${Math.round(l.rps)} req/s${l.errors ? ` · ${l.errors} errors` : ''}`;

/** A bare node:http server answering a kiosk-sized page: its RSS, and its latency under the same paced load. */
async function bareServer(): Promise<{ rss: number; load: Load }> {
  const proc = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import http from 'node:http'; const page = 'x'.repeat(2000); http.createServer((q, s) => s.end(page)).listen(0, '127.0.0.1', function () { console.log(this.address().port); });",
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<string>((resolve) =>
    proc.stdout?.once('data', (c: Buffer) => resolve(c.toString().trim())),
  );
  await sleep(5_000);
  const { rss } = memory(proc.pid as number);
  const load = await paced(`http://127.0.0.1:${port}/`, '', 10);
  proc.kill();
  return { rss, load };
}

interface Setup {
  dir: string;
  fleet: string;
  sim: SimProcess;
}

/** A simulator with the 2,000-object fleet for one section, removed afterwards. */
async function withSimulator<T>(fn: (s: Setup) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-bench-console-'));
  const fleet = path.join(dir, 'fleet');
  writeFleet(fleet);
  const sim = await startSimProcess(dir, { OUTPOST_SIM_READY_DELAY: '1s' });
  try {
    return await fn({ dir, fleet, sim });
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Running {
  url: string;
  cookie: string;
  pid: number;
  /** RSS 15 s after the first sync, before any load. */
  idle: { rss: number; peak: number };
}

/** Outpost started, signed in, synced and left to settle for 15 s; stopped when `fn` is done. */
async function withConsole<T>(
  s: Setup,
  opts: Parameters<typeof startConsole>[3],
  fn: (o: Running) => Promise<T>,
): Promise<T> {
  const o = await startConsole(s.dir, s.sim.kubeconfig, s.fleet, opts);
  try {
    await sleep(15_000);
    const pid = o.proc.pid as number;
    return await fn({ url: o.url, cookie: cookieOf(o.session), pid, idle: memory(pid) });
  } finally {
    await o.stop();
  }
}

const mb = (n: number) => `${n.toFixed(1)} MB`;

/** Closed loop: 20 connections back to back, as fast as Outpost answers (the worst case, on 2 cores). */
const SATURATED = ['-c', '20', '-d', '15'];

export const consoleBench = {
  id: 'console',
  title: `Console under load: ${OBJECTS} applied objects, 20 clients from a second process (node ${startFlags().join(' ')})`,
  run: () =>
    withSimulator(async (s) => {
      const rows = await withConsole(s, {}, async (o): Promise<[string, string][]> => {
        // Warm-up: the first requests compile templates and JIT the hot paths.
        await autocannon(`${o.url}/`, o.cookie, ['-c', '5', '-d', '3']);
        const overviewPaced = await paced(`${o.url}/`, o.cookie);
        const kioskPaced = await paced(`${o.url}/kiosk`, o.cookie);
        const overviewMax = await autocannon(`${o.url}/`, o.cookie, SATURATED);
        const kioskMax = await autocannon(`${o.url}/kiosk`, o.cookie, SATURATED);
        const loaded = memory(o.pid);
        return [
          ['overview, 20 clients × 10 req/s', fmt(overviewPaced)],
          ['kiosk, 20 clients × 10 req/s', fmt(kioskPaced)],
          ['overview, 20 connections saturating', fmt(overviewMax)],
          ['kiosk, 20 connections saturating', fmt(kioskMax)],
          ['Outpost RSS idle (after first sync, simulator not counted)', mb(o.idle.rss)],
          ['Outpost RSS after the load above', `${mb(loaded.rss)} (peak ${mb(loaded.peak)})`],
        ];
      });
      const bare = await bareServer();
      rows.push(
        ['bare node:http server RSS, same run', mb(bare.rss)],
        ['bare node:http server, 20 clients × 10 req/s', fmt(bare.load)],
      );
      return rows;
    }),
};

export const consoleSoak = {
  id: 'console-soak',
  optIn: true,
  title:
    'Console soak: 10 minutes of overview + kiosk load with 2,000 applied objects (OUTPOST_SOAK_MINUTES)',
  run: () =>
    withSimulator(async (s) => {
      const minutes = Number(process.env.OUTPOST_SOAK_MINUTES ?? '10');
      const rows = await withConsole(s, {}, async (o): Promise<[string, string][]> => {
        const seconds = String(Math.round(minutes * 60));
        // 10 connections on each page, back to back, for the whole time.
        const [overview, kiosk] = await Promise.all([
          autocannon(`${o.url}/`, o.cookie, ['-c', '10', '-d', seconds]),
          autocannon(`${o.url}/kiosk`, o.cookie, ['-c', '10', '-d', seconds]),
        ]);
        const after = memory(o.pid);
        await sleep(30_000);
        return [
          ['overview during the soak (10 connections)', fmt(overview)],
          ['kiosk during the soak (10 connections)', fmt(kiosk)],
          ['Outpost RSS idle before', mb(o.idle.rss)],
          [`Outpost RSS right after ${minutes} min of load`, `${mb(after.rss)} (peak ${mb(after.peak)})`],
          ['Outpost RSS 30 s later', mb(memory(o.pid).rss)],
        ];
      });
      rows.push(['bare node:http server RSS, same run', mb((await bareServer()).rss)]);
      return rows;
    }),
};

const semi = '--max-semi-space-size=1';
const size = '--optimize-for-size';
const ts = { main: 'server/main.ts' };
const js = { main: 'dist/main.js' };
const VARIANTS: [string, { flags: string[]; main: string }][] = [
  ['TypeScript, no flags', { ...ts, flags: [] }],
  ['TypeScript, --max-semi-space-size=1', { ...ts, flags: [semi] }],
  ['TypeScript, + --optimize-for-size', { ...ts, flags: [semi, size] }],
  ['TypeScript, + --no-opt --no-maglev', { ...ts, flags: [semi, size, '--no-opt', '--no-maglev'] }],
  ['dist/ (types stripped at build), no flags', { ...js, flags: [] }],
  ['dist/, --max-semi-space-size=1 --optimize-for-size', { ...js, flags: [semi, size] }],
  ['dist/, + --no-opt --no-maglev (npm start)', { ...js, flags: [semi, size, '--no-opt', '--no-maglev'] }],
  // No WebAssembly in lite mode: ssh2 (the support tunnel) cannot load, so this is for comparison only.
  ['dist/, --lite-mode', { ...js, flags: ['--lite-mode'] }],
];

/** What each memory step buys: the same Outpost, started with different V8 flags and from TS or stripped JS. */
export const consoleMemory = {
  id: 'console-memory',
  optIn: true,
  title: 'Console memory steps: V8 flags and stripped JS (idle RSS, p99 overview paced and saturated)',
  run: () =>
    withSimulator(async (s) => {
      const rows: [string, string][] = [];
      for (const [name, opts] of VARIANTS) {
        const row = await withConsole(s, opts, async (o): Promise<[string, string]> => {
          await autocannon(`${o.url}/`, o.cookie, ['-c', '5', '-d', '3']);
          const gentle = await paced(`${o.url}/`, o.cookie, 10);
          const max = await autocannon(`${o.url}/`, o.cookie, ['-c', '20', '-d', '10']);
          const loaded = memory(o.pid);
          return [
            name,
            `idle ${mb(o.idle.rss)} · after load ${mb(loaded.rss)} · p99 paced ${gentle.p99} ms · p99 saturated ${max.p99} ms (${Math.round(max.rps)} req/s)`,
          ];
        });
        rows.push(row);
      }
      rows.push(['bare node:http server RSS, same run', mb((await bareServer()).rss)]);
      return rows;
    }),
};
