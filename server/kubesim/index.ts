// In-process Kubernetes API server simulator for demo mode and tests: startKubesim() and its handle.
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from '../node-http.ts';
import { Controllers } from './controllers/index.ts';
import { Engine } from './engine.ts';
import { type FaultControl, Faults } from './faults.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { LogFeed } from './logs.ts';
import { seed } from './seed.ts';
import { createHandler, type Stats } from './server.ts';
import { podLog } from './subresources.ts';

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
  /** Changes a watch can resume across before it gets 410 Gone (default 5000). */
  historySize?: number;
  /** Milliseconds between BOOKMARK events on watches that allow them (default 15000). */
  bookmarkMs?: number;
}

export interface Kubesim {
  url: string;
  kubeconfigPath?: string;
  stats: Stats;
  faults: FaultControl;
  /** Forgets the change history (etcd compaction): watches from an older version get 410 Gone. */
  compact(): void;
  /** Writes a line to a container's log (the only container when `container` is left out); followers get it. */
  writeLog(namespace: string, pod: string, line: string, container?: string): void;
  /** Log follow streams open now. */
  logFollowers(): number;
  /**
   * An API server restart: every connection and stream drops, the port refuses connections for `downMs`,
   * then it serves the same objects again (etcd keeps them), resumable from the same versions.
   */
  restart(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startKubesim(opts: KubesimOptions = {}): Promise<Kubesim> {
  const engine = new Engine(opts.historySize);
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
    objectGets: 0,
    reset() {
      stats.requests = 0;
      stats.writes = 0;
      stats.byMethod = {};
      stats.objectGets = 0;
    },
  };
  const open = new Set<ServerResponse>();
  const logs = new LogFeed();
  const pods = '/pods';
  engine.store.subscribe((ev) => {
    const m = ev.object.metadata as { namespace?: string; name?: string } | undefined;
    if (ev.type === 'DELETED' && ev.resource === pods) logs.forget(m?.namespace ?? '', m?.name ?? '');
  });
  const server = http.createServer(
    createHandler({
      engine,
      faults,
      stats,
      latencyMs: opts.latencyMs ?? 0,
      open,
      logs,
      bookmarkMs: opts.bookmarkMs ?? 15_000,
    }),
  );
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
    compact() {
      engine.store.compact();
    },
    writeLog(namespace, pod, line, container) {
      const o = engine.store.get(pods, namespace, pod);
      if (!o) throw new Error(`kubesim: no pod ${namespace}/${pod} to write a log line to`);
      logs.write(namespace, pod, container ?? podLog(o, new URLSearchParams()).container, line);
    },
    logFollowers: () => logs.followerCount(),
    async restart(downMs = 0) {
      for (const res of open) res.destroy();
      open.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await new Promise((r) => setTimeout(r, downMs));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
    },
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
