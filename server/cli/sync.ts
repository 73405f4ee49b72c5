// `outpost sync --once`: one reconcile in this process, exit 0 only on success.
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createClusterClient } from '../cluster/client.ts';
import { connectCluster, demoKubeconfigPath } from '../cluster/connect.ts';
import { loadCredentials } from '../cluster/credentials.ts';
import { loadConfig } from '../config.ts';
import { openDb } from '../db/open.ts';
import { createLogger } from '../log.ts';
import { createSource } from '../sources/index.ts';
import { reconcile } from '../sync/reconciler.ts';
import { type Command, out, UsageError } from './io.ts';

async function demoCluster(dataDir: string) {
  // Reuse the running demo server's simulator when there is one, so the CLI acts on what the page shows.
  const file = demoKubeconfigPath(dataDir);
  if (existsSync(file)) {
    const cluster = createClusterClient(loadCredentials({ mode: 'kubeconfig', path: file }));
    try {
      await cluster.ping();
      return { cluster, sim: null };
    } catch {
      // Not running: start one below.
    }
  }
  return null;
}

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { once: { type: 'boolean' } } });
  if (!values.once) throw new UsageError('sync needs --once (the server runs the scheduled loop)');
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 'stderr');
  const db = openDb(config.dataDir);
  const connected =
    (config.cluster.mode === 'demo' && (await demoCluster(config.dataDir))) || (await connectCluster(config));
  try {
    const run = await reconcile(
      {
        db,
        cluster: connected.cluster,
        source: createSource(config.source, config),
        sourcePath: config.source.path,
        log,
        policy: config.policy,
      },
      'cli',
      `cli:${userInfo().username}`,
    );
    out(`${run.result}${run.reason ? ` (${run.reason}): ${run.message}` : ''}`);
    for (const c of run.changes) out(`  ${c.action.padEnd(10)} ${c.ref}${c.error ? ` — ${c.error}` : ''}`);
    return run.result === 'succeeded' ? 0 : 1;
  } finally {
    connected.cluster.close();
    await connected.sim?.close();
    db.close();
    log.flush();
  }
}

export const syncCommand: Command = {
  name: 'sync',
  usage: 'sync --once',
  summary: 'one reconcile in this process; exit 0 only on success',
  run,
};
