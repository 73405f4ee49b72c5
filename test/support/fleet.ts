// A throwaway fleet for tests: a source folder, a store, a simulator and reconcile deps wired together.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openCluster } from '../../server/cluster/client.ts';
import type { ClusterClient } from '../../server/cluster/types.ts';
import { type Db, openDb } from '../../server/db/open.ts';
import { type Kubesim, type KubesimOptions, startKubesim } from '../../server/kubesim/index.ts';
import { dirSource } from '../../server/sources/dir.ts';
import type { ReconcilerDeps } from '../../server/sync/reconciler.ts';
import { silentLog } from './log.ts';

export interface Fleet {
  dir: string;
  sourceDir: string;
  dataDir: string;
  db: Db;
  sim: Kubesim;
  cluster: ClusterClient;
  deps: ReconcilerDeps;
  /** Replaces the whole source tree with these files. */
  write(files: Record<string, string>): void;
  close(): Promise<void>;
}

export async function makeFleet(files: Record<string, string>, simOpts: KubesimOptions = {}): Promise<Fleet> {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-fleet-'));
  const sourceDir = path.join(dir, 'source');
  const dataDir = path.join(dir, 'data');
  const write = (tree: Record<string, string>) => {
    rmSync(sourceDir, { recursive: true, force: true });
    for (const [f, content] of Object.entries(tree)) {
      mkdirSync(path.dirname(path.join(sourceDir, f)), { recursive: true });
      writeFileSync(path.join(sourceDir, f), content);
    }
  };
  write(files);
  const kubeconfigPath = path.join(dir, 'kubeconfig.yaml');
  const sim = await startKubesim({ readyDelayMs: 50, ...simOpts, kubeconfigPath });
  const cluster = await openCluster({ mode: 'kubeconfig', path: kubeconfigPath });
  const db = openDb(dataDir);
  const deps: ReconcilerDeps = {
    db,
    cluster,
    source: dirSource(sourceDir),
    sourcePath: '.',
    log: silentLog,
    // Short waits: the simulator's workloads become ready after readyDelayMs.
    policy: { healthTimeoutMs: 5_000, healthIntervalMs: 25 },
  };
  return {
    dir,
    sourceDir,
    dataDir,
    db,
    sim,
    cluster,
    deps,
    write,
    async close() {
      cluster.close();
      db.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const NS = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
`;

export function configMap(name: string, value = 'v1'): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: shop
data:
  key: ${value}
`;
}

export function deployment(name: string, image = 'registry.example.com/web:1'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: main
          image: ${image}
`;
}
