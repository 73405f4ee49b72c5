// Composition root: config → store → cluster → sync → web; the only place that listens, exits or handles signals.

import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { auditDetail } from './audit-detail.ts';
import { startEnrollment } from './auth/enrollment.ts';
import { readPemFile, readSecretFile } from './auth/secrets.ts';
import { createAccessService } from './auth/service.ts';
import { connectCluster } from './cluster/connect.ts';
import { type Config, loadConfig } from './config.ts';
import { ConfigError } from './config-error.ts';
import { DataVolume } from './db/space.ts';
import { freezePrototypes } from './harden.ts';
import { ApiProbe } from './host/api-probe.ts';
import { hostFacts } from './host/facts.ts';
import { HostSampler } from './host/sampler.ts';
import { createLogger, type Logger } from './log.ts';
import { processMetrics, Registry, storeMetrics } from './metrics.ts';
import { Reporter } from './report/index.ts';
import { sourceOptions } from './sources/index.ts';
import { configuredDeps } from './sync/config-deps.ts';
import { recordHealth } from './sync/health-record.ts';
import { createSyncMetrics, stateMetrics } from './sync/metrics.ts';
import { nodeState, stateInputs } from './sync/node-state.ts';
import { createSyncService } from './sync/service.ts';
import { buildSupportBundle } from './sync/support-bundle.ts';
import { consoleTarget } from './tunnel/model.ts';
import { createApp } from './web/app.ts';
import { createSseHub } from './web/sse.ts';

/** How often the live health is offered to the store for `outpost status`: it lags the page by at most this. */
const HEALTH_RECORD_MS = 2_000;

/** Where people reach the console (as configured; a proxy in front may publish another address). */
function consoleUrl(config: Config, port: number): string {
  return `${config.tls ? 'https' : 'http'}://${config.host}:${port}${config.access.basePath}/`;
}

async function start(config: Config, log: Logger): Promise<() => Promise<void>> {
  // Secrets and the certificate first: a missing file stops the start before anything listens, and never
  // falls back to plain HTTP or an open /metrics by surprise.
  const { enrollmentCodeFile, metricsTokenFile } = config.access;
  const enrollmentCode = enrollmentCodeFile
    ? readSecretFile(enrollmentCodeFile, 'enrollment code')
    : undefined;
  const metricsToken = metricsTokenFile ? readSecretFile(metricsTokenFile, 'metrics token') : null;
  const tls = config.tls
    ? {
        cert: readPemFile(config.tls.certFile, 'TLS certificate'),
        key: readPemFile(config.tls.keyFile, 'TLS key'),
      }
    : null;
  // Opens even on a full volume (read-only if it must): the console, kiosk and an offline re-assert still work.
  const volume = new DataVolume(config.dataDir, {
    reserveBytes: config.store.reserveBytes,
    bounds: { historyMs: config.store.historyMs, limitBytes: config.store.limitBytes },
    log,
    initEmpty: config.initEmptyDb,
  });
  const db = volume.db;
  const { cluster, kubeConfig, sim } = await connectCluster(config);
  if (sim)
    log.warn({ kubeconfig: sim.kubeconfigPath, reason: config.demoReason }, 'DEMO mode: simulated cluster');
  const registry = new Registry();
  processMetrics(registry, 'outpost_');
  storeMetrics(registry, () => ({ ...volume.state(), ...volume.usage() }));
  const { deps, ...sourceSettings } = configuredDeps(config, { db, cluster, log });
  const sync = createSyncService({
    ...deps,
    ...sourceSettings,
    metrics: createSyncMetrics(registry),
    uploads: { dataDir: config.dataDir, options: sourceOptions(config.source, config) },
    kubeConfig,
  });
  stateMetrics(registry, () => nodeState(stateInputs(sync)));
  const host = new HostSampler({
    db,
    log,
    dataDir: config.dataDir,
    intervalMs: config.samples.intervalMs,
    retentionMs: config.samples.retentionMs,
  });
  // One GET /version a minute: the API health chart's latency and unanswered checks, kept as long as host samples.
  const api = new ApiProbe({ db, log, check: () => cluster.ping(), retentionMs: config.samples.retentionMs });
  const access = createAccessService({
    db,
    log,
    sessionIdleMs: config.access.sessionIdleMs,
    sessionMaxMs: config.access.sessionMaxMs,
  });
  // Before listening: a bad code file stops the start, and /setup never answers without a code in place.
  startEnrollment(
    access,
    {
      code: enrollmentCode,
      codeFile: enrollmentCodeFile,
      ttlMs: config.access.enrollmentTtlMs,
      setupUrl: `${consoleUrl(config, config.port)}setup`,
    },
    log,
  );
  // Loaded only when a bastion is configured: ssh2 costs ~12 MB of memory.
  const tunnel = config.tunnel
    ? new (await import('./tunnel/tunnel.ts')).SupportTunnel({
        config: config.tunnel,
        console: consoleTarget(config.host, config.port),
        audit: (e) => sync.audit({ ...e, source: 'tunnel' }),
        log,
      })
    : null;
  let ready = false;
  // Open pages' live streams: ended first on shutdown, so no open connection holds the server.
  const events = createSseHub({ version: () => `${sync.version()}|${host.version}` });
  const app = createApp({
    events,
    sync,
    access,
    reach: {
      basePath: config.access.basePath,
      trustedProxies: config.access.trustedProxies,
      kioskAddresses: config.access.kioskAddresses,
      allowedHosts: config.access.allowedHosts,
      metricsToken,
    },
    metrics: registry,
    log,
    nodeName: config.nodeName,
    source: config.source,
    demo: config.demo ? { reason: config.demoReason ?? 'demo' } : null,
    ready: () => ready,
    csrfSecret: randomBytes(32),
    host,
    api,
    tunnel,
    supportBundle: () =>
      buildSupportBundle({
        db,
        cluster,
        nodeName: config.nodeName,
        config,
        hostFacts: async () => ({ ...(await hostFacts()), now: host.now() }),
      }),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = tls
      ? createHttpsServer(tls, app).listen(config.port, config.host, () => resolve(s))
      : app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = consoleUrl(config, port);
  sync.start({ schedule: config.schedule, nodeName: config.nodeName });
  host.start();
  api.start();
  const reporter = config.report
    ? new Reporter({
        db,
        log,
        config: config.report,
        // A sync running is not reported upward: every scheduled run would be two state changes.
        inputs: () => ({ ...stateInputs(sync), applying: false }),
        host: () => host.now(),
      })
    : null;
  await reporter?.start();
  // Space returned: the store is writable again, so sync now instead of at the next scheduled time.
  volume.onRecover(() =>
    sync.trigger('startup').catch((err: unknown) => log.error({ err }, 'sync after recovery crashed')),
  );
  const volumeCheck = setInterval(() => {
    try {
      volume.check();
    } catch (err) {
      log.error({ err }, 'data volume check failed');
    }
  }, config.store.checkMs);
  // The live health, for `outpost status` in another process: written when it changes, never while full.
  const healthRecord = setInterval(() => {
    if (volume.state().full) return;
    try {
      recordHealth(db, stateInputs(sync));
    } catch (err) {
      log.warn({ err }, 'could not record the live health for the command line');
    }
  }, HEALTH_RECORD_MS);
  healthRecord.unref();
  // Startup sync: re-asserts the desired state right away instead of waiting for the schedule.
  sync.trigger('startup').catch((err: unknown) => log.error({ err }, 'startup sync crashed'));
  ready = true;
  log.info({ url, demo: config.demo, source: config.source }, 'Outpost is up');

  return async () => {
    ready = false;
    clearInterval(volumeCheck);
    events.close();
    clearInterval(healthRecord);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    tunnel?.close('system', auditDetail('tunnel-stopping'));
    await sync.stop();
    await reporter?.stop();
    host.stop();
    api.stop();
    cluster.close();
    await sim?.close();
    volume.close();
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
  // Once everything is loaded (the tunnel and the simulator load lazily inside start): a second wall behind
  // the parsers' refusal of `__proto__` keys.
  freezePrototypes();
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
