// Composition root: config → store → cluster → sync → web; the only place that listens, exits or handles signals.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { connectCluster } from './cluster/connect.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { openDb } from './db/open.ts';
import { createLogger, type Logger } from './log.ts';
import { createSource, sourceOptions } from './sources/index.ts';
import { createSyncMetrics } from './sync/metrics.ts';
import { createSyncService } from './sync/service.ts';
import { createApp } from './web/app.ts';

async function start(config: Config, log: Logger): Promise<() => Promise<void>> {
  const db = openDb(config.dataDir);
  const { cluster, sim } = await connectCluster(config);
  if (sim)
    log.warn({ kubeconfig: sim.kubeconfigPath, reason: config.demoReason }, 'DEMO mode: simulated cluster');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'outpost_' });
  const sync = createSyncService({
    db,
    cluster,
    source: createSource(config.source, config),
    sourcePath: config.source.path,
    log,
    policy: config.policy,
    vars: config.vars,
    metrics: createSyncMetrics(registry),
    uploads: { dataDir: config.dataDir, options: sourceOptions(config.source, config) },
  });
  let ready = false;
  const app = createApp({
    sync,
    metrics: registry,
    log,
    nodeName: config.nodeName,
    source: config.source,
    demo: config.demo ? { reason: config.demoReason ?? 'demo' } : null,
    ready: () => ready,
    csrfSecret: randomBytes(32),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  sync.start({ schedule: config.schedule, nodeName: config.nodeName });
  // Startup sync: re-asserts the desired state right away instead of waiting for the schedule.
  sync.trigger('startup').catch((err: unknown) => log.error({ err }, 'startup sync crashed'));
  ready = true;
  log.info(
    { url: `http://${config.host}:${port}/`, demo: config.demo, source: config.source },
    'Outpost is up',
  );

  return async () => {
    ready = false;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await sync.stop();
    cluster.close();
    await sim?.close();
    db.close();
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`outpost: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  let stop: () => Promise<void>;
  try {
    stop = await start(config, log);
  } catch (err) {
    log.fatal({ err }, `Outpost could not start: ${(err as Error).message}`);
    log.flush();
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

await main();
