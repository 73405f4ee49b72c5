// In-process Kubernetes API server simulator for demo mode and tests: startKubesim() and its handle.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controllers } from './controllers/index.ts';
import { Engine } from './engine.ts';
import { type FaultControl, Faults } from './faults.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { seed } from './seed.ts';
import { createHandler, type Stats } from './server.ts';

export type { FaultControl, FaultSpec } from './faults.ts';
export { kubeconfigText, writeKubeconfig } from './kubeconfig.ts';
export type { Stats } from './server.ts';

export interface KubesimOptions {
  host?: string;
  port?: number;
  /** When set, a kubeconfig pointing at the simulator is written there. */
  kubeconfigPath?: string;
  /** Added to every request. */
  latencyMs?: number;
  /** Workloads become ready this long after their spec changes (default 1000). */
  readyDelayMs?: number;
  /** Glob patterns; images matching never pull. Default ['*:broken*']. */
  failImages?: string[];
}

export interface Kubesim {
  url: string;
  kubeconfigPath?: string;
  stats: Stats;
  faults: FaultControl;
  close(): Promise<void>;
}

export async function startKubesim(opts: KubesimOptions = {}): Promise<Kubesim> {
  const engine = new Engine();
  const controllers = new Controllers(engine, {
    readyDelayMs: opts.readyDelayMs ?? 1000,
    failImages: opts.failImages ?? ['*:broken*'],
  });
  seed(engine, controllers.context);
  const faults = new Faults();
  const stats: Stats = {
    requests: 0,
    writes: 0,
    byMethod: {},
    reset() {
      stats.requests = 0;
      stats.writes = 0;
      stats.byMethod = {};
    },
  };
  const open = new Set<ServerResponse>();
  const server = createServer(createHandler({ engine, faults, stats, latencyMs: opts.latencyMs ?? 0, open }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (opts.kubeconfigPath) writeKubeconfig(opts.kubeconfigPath, url);
  let closing: Promise<void> | undefined;
  const sim: Kubesim = {
    url,
    stats,
    faults,
    close() {
      closing ??= new Promise<void>((resolve) => {
        controllers.close();
        for (const res of open) res.destroy();
        open.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  if (opts.kubeconfigPath) sim.kubeconfigPath = opts.kubeconfigPath;
  return sim;
}
