// What CLI commands that act on the cluster share: config, store, cluster connection and reconcile deps.
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { openCluster } from '../cluster/client.ts';
import { connectCluster, demoKubeconfigPath } from '../cluster/connect.ts';
import { type Config, loadConfig } from '../config.ts';
import { openDb } from '../db/open.ts';
import { createLogger } from '../log.ts';
import { configuredDeps } from '../sync/config-deps.ts';
import type { ReconcilerDeps } from '../sync/reconciler.ts';
import type { RunRecord } from '../sync/run.ts';
import { createSettings } from '../sync/settings.ts';
import { out } from './io.ts';

async function demoCluster(dataDir: string) {
  // Reuse the running demo server's simulator when there is one, so the CLI acts on what the page shows.
  const file = demoKubeconfigPath(dataDir);
  if (!existsSync(file)) return null;
  const cluster = await openCluster({ mode: 'kubeconfig', path: file });
  try {
    await cluster.ping();
    return { cluster, sim: null };
  } catch {
    cluster.close();
    return null;
  }
}

export const cliActor = () => `cli:${userInfo().username}`;

/** Opens everything a reconcile needs, runs `fn`, and always closes it again. */
export async function withReconciler<T>(
  fn: (deps: ReconcilerDeps, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 'stderr');
  const db = openDb(config.dataDir, { initEmpty: config.initEmptyDb });
  try {
    const connected =
      (config.cluster.mode === 'demo' && (await demoCluster(config.dataDir))) ||
      (await connectCluster(config));
    try {
      const { deps, sourceSpec, makeSource, sourcePolicy } = configuredDeps(config, {
        db,
        cluster: connected.cluster,
        log,
      });
      // Settings changed on the console (source, maintenance windows) apply to the command line as to the server.
      const settings = createSettings({
        db,
        defaults: () => ({
          source: sourceSpec,
          schedule: config.schedule,
          maintenanceWindows: config.policy.maintenanceWindows ?? [],
          paused: false,
        }),
        apply: () => {},
        makeSource,
        sourcePolicy,
      });
      return await fn(settings.sync(deps), config);
    } finally {
      connected.cluster.close();
      await connected.sim?.close();
    }
  } finally {
    db.close();
    log.flush();
  }
}

/** Prints a run the way every command does; exit code 0 only when it succeeded. */
export function printRun(run: RunRecord): number {
  out(`${run.result}${run.reason ? ` (${run.reason})` : ''}${run.message ? `: ${run.message}` : ''}`);
  for (const c of run.changes) out(`  ${c.action.padEnd(10)} ${c.ref}${c.error ? ` — ${c.error}` : ''}`);
  return run.result === 'succeeded' ? 0 : 1;
}
