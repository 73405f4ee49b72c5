// Sync figures: 200 and 2,000 objects against kubesim (2 ms per request) vs `kubectl apply --server-side`, synced
// as a running server syncs (and for 200, also a fresh process's first sync and one without a render worker
// standing by), requests of a no-change resync, failed health verdict → LKG restored, fetch+store of a 500-object
// revision, and the peak poll rate 10,000 nodes put on an upstream with and without jitter.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { silentLog } from '../../test/support/log.ts';
import { buildOnce, ROOT } from '../../test/support/process.ts';
import { type SimProcess, startSimProcess } from './sim.ts';

const exec = promisify(execFile);

/**
 * The modules as they ship: dist/, types stripped at build, as `npm start` runs them. From the TypeScript sources
 * every fresh render worker would first load Node's type stripper (~0.3 s) — a cost no installed node pays.
 */
buildOnce();
const shipped = <T>(module: string): Promise<T> =>
  import(pathToFileURL(path.join(ROOT, 'dist', module)).href);
const { openCluster } = await shipped<typeof import('../../server/cluster/client.ts')>('cluster/client.js');
const { openDb } = await shipped<typeof import('../../server/db/open.ts')>('db/open.js');
const { storeRevision } = await shipped<typeof import('../../server/db/revisions.ts')>('db/revisions.js');
const { render } = await shipped<typeof import('../../server/render/index.ts')>('render/index.js');
const { keepRenderWorkerReady, stopRenderWorker } =
  await shipped<typeof import('../../server/render/off-thread.ts')>('render/off-thread.js');
const { treeDigest } = await shipped<typeof import('../../server/sources/digest.ts')>('sources/digest.js');
const { dirSource } = await shipped<typeof import('../../server/sources/dir.ts')>('sources/dir.js');
const { reconcile } = await shipped<typeof import('../../server/sync/reconciler.ts')>('sync/reconciler.js');
const { jitterMs, jitterSpanMs } =
  await shipped<typeof import('../../server/sync/schedule.ts')>('sync/schedule.js');

function objectsYaml(n: number, image = 'registry.example.com/app:1'): Record<string, string> {
  const files: Record<string, string> = {
    '000-namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bench\n',
  };
  for (let i = 0; i < n - 1; i++) {
    const name = `obj-${String(i).padStart(4, '0')}`;
    let doc: string;
    if (i % 10 === 0) {
      doc = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: bench\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      containers:\n        - name: main\n          image: ${image}\n`;
    } else if (i % 10 === 1) {
      doc = `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: bench\nspec:\n  selector: {app: ${name}}\n  ports: [{port: 80, targetPort: 8080}]\n`;
    } else {
      doc = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: bench\ndata:\n  value: "${i}"\n`;
    }
    files[`${name}.yaml`] = doc;
  }
  return files;
}

function writeTree(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  return dir;
}

/** kubesim in its own process, as a real API server would be, with 2 ms added to every request. */
function startSim(dir: string, readyDelay = '0'): Promise<SimProcess> {
  return startSimProcess(dir, { OUTPOST_SIM_LATENCY: '2ms', OUTPOST_SIM_READY_DELAY: readyDelay });
}

async function simStats(sim: SimProcess, reset = false): Promise<{ requests: number; writes: number }> {
  const res = await fetch(`${sim.url}/_sim/stats`, { method: reset ? 'DELETE' : 'GET' });
  return (await res.json()) as { requests: number; writes: number };
}

async function deps(dataDir: string, kubeconfig: string, sourceDir: string) {
  const cluster = await openCluster({ mode: 'kubeconfig', path: kubeconfig });
  return {
    db: openDb(dataDir),
    cluster,
    source: dirSource(sourceDir),
    sourcePath: '.',
    log: silentLog,
    policy: { healthIntervalMs: 100, healthTimeoutMs: 120_000 },
  };
}

/** Our sync of the tree into a fresh simulator, then a no-change resync: times and what the resync asked. */
async function oursOnce(tmp: string, tree: string, tag: string) {
  const sim = await startSim(tmp);
  const d = await deps(path.join(tmp, `data-${tag}`), sim.kubeconfig, tree);
  let t = performance.now();
  const run = await reconcile(d, 'cli');
  const ms = performance.now() - t;
  if (run.result !== 'succeeded') throw new Error(`bench sync ${tag} failed: ${run.message}`);
  await simStats(sim, true);
  t = performance.now();
  await reconcile(d, 'schedule');
  const resyncMs = performance.now() - t;
  const resync = await simStats(sim);
  d.cluster.close();
  d.db.close();
  await sim.stop();
  return { ms, resyncMs, resync };
}

/** A fresh render worker standing by, loaded and warmed up, as the server has one from 5 s after a render on. */
async function freshStandby(): Promise<void> {
  await stopRenderWorker();
  await keepRenderWorkerReady();
}

/**
 * Our sync as a running server does it — its code run before, a render worker standing by (keepRenderWorkerReady)
 * — against kubectl. For 200 objects also the first sync of a fresh process (the warm-up of the figure after it,
 * its own simulator and store) and a sync without a worker standing by.
 */
async function syncVsKubectl(tmp: string, n: number): Promise<[string, string][]> {
  const tree = writeTree(path.join(tmp, `tree-${n}`), objectsYaml(n));
  await freshStandby();
  const first = n === 200 ? await oursOnce(tmp, tree, `${n}-first`) : null;
  await freshStandby();
  const ours = await oursOnce(tmp, tree, `${n}`);
  let cold: Awaited<ReturnType<typeof oursOnce>> | null = null;
  if (n === 200) {
    await stopRenderWorker();
    cold = await oursOnce(tmp, tree, `${n}-cold`);
  }

  const theirs = await startSim(tmp);
  const t = performance.now();
  await exec('kubectl', ['--kubeconfig', theirs.kubeconfig, 'apply', '--server-side', '-R', '-f', tree], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const kubectlMs = performance.now() - t;
  await theirs.stop();
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const against = (label: string, r: { ms: number } | null): [string, string][] =>
    r ? [[label, `${seconds(r.ms)}, ratio ${(r.ms / kubectlMs).toFixed(2)}`]] : [];
  return [
    [`sync of ${n} objects by a running server (fetch → commit, health included)`, seconds(ours.ms)],
    [`kubectl apply --server-side of the same ${n}`, seconds(kubectlMs)],
    [`ratio Outpost / kubectl (${n})`, (ours.ms / kubectlMs).toFixed(2)],
    ...against(`… the first sync of a fresh process`, first),
    ...against(`… with no render worker standing by (the run starts one)`, cold),
    [
      `no-change resync of ${n}: requests / writes / time`,
      `${ours.resync.requests} / ${ours.resync.writes} / ${seconds(ours.resyncMs)}`,
    ],
  ];
}

async function rollbackTime(tmp: string): Promise<[string, string][]> {
  const good = writeTree(path.join(tmp, 'rb-good'), objectsYaml(50));
  const bad = writeTree(path.join(tmp, 'rb-bad'), objectsYaml(50, 'registry.example.com/app:broken-1'));
  const sim = await startSim(tmp, '200ms');
  const d = await deps(path.join(tmp, 'rb-data'), sim.kubeconfig, good);
  await reconcile(d, 'cli');
  const run = await reconcile({ ...d, source: dirSource(bad) }, 'cli');
  const verdict = run.stages.find((s) => s.stage === 'rollback')?.at;
  d.cluster.close();
  d.db.close();
  await sim.stop();
  if (run.result !== 'rolled-back' || !verdict || !run.finishedAt)
    throw new Error(`no rollback: ${run.message}`);
  return [
    [
      'failed health verdict → LKG restored (50 objects)',
      `${Date.parse(run.finishedAt) - Date.parse(verdict)} ms`,
    ],
  ];
}

async function fetchAndStore(tmp: string): Promise<[string, string][]> {
  const tree = writeTree(path.join(tmp, 'fs-tree'), objectsYaml(500));
  const db = openDb(path.join(tmp, 'fs-data'));
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const { files } = await dirSource(tree).fetch();
    files['nonce.txt'] = String(i);
    const objects = render(files, '.');
    storeRevision(db, {
      digest: treeDigest(files),
      sourceKind: 'dir',
      sourceUrl: tree,
      sourcePath: '.',
      files,
      objects,
    });
    times.push(performance.now() - t);
  }
  db.close();
  times.sort((a, b) => a - b);
  return [
    [
      'fetch + render + store (synchronous=FULL) of a 500-object revision, median of 5',
      `${times[2]?.toFixed(1)} ms`,
    ],
  ];
}

function stampede(): [string, string][] {
  const nodes = 10_000;
  const interval = 300_000;
  const perSecond = new Map<number, number>();
  for (let i = 0; i < nodes; i++) {
    const s = Math.floor(jitterMs(`site-${i}`, jitterSpanMs(interval)) / 1000);
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
  }
  return [
    ['10,000 nodes, 5-minute schedule: peak polls per second without jitter', String(nodes)],
    ['… with per-node jitter', String(Math.max(...perSecond.values()))],
  ];
}

export const syncBench = {
  id: 'sync',
  title: 'Sync, rollback, store and fleet polling',
  async run(): Promise<[string, string][]> {
    const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-bench-sync-'));
    try {
      return [
        ...(await syncVsKubectl(tmp, 200)),
        ...(await syncVsKubectl(tmp, 2000)),
        ...(await rollbackTime(tmp)),
        ...(await fetchAndStore(tmp)),
        ...stampede(),
      ];
    } finally {
      await stopRenderWorker();
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
