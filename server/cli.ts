// The `outpost` command: status, one-shot sync and the standalone simulator, with the server's own config.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createClusterClient, loadKubeConfig } from './cluster/client.ts';
import { connectCluster, demoKubeconfigPath } from './cluster/connect.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDb } from './db/open.ts';
import { createLogger } from './log.ts';
import { createSource } from './sources/index.ts';
import { reconcile } from './sync/reconciler.ts';
import { readStatus } from './sync/status.ts';

const USAGE = `usage: outpost <command> [options]

commands:
  status [--json]                 what the node runs, what was last attempted, upstream reachability
  sync --once                     one reconcile in this process; exit 0 only on success
  sim [--port P] [--kubeconfig F] run the Kubernetes simulator standalone and write a kubeconfig for it
  help                            this text

Configuration comes from the same OUTPOST_* variables (and OUTPOST_CONFIG file) as the server.`;

class UsageError extends Error {}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function cmdStatus(args: string[]): number {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const config = loadConfig();
  const dbFile = path.join(config.dataDir, 'outpost.db');
  const empty = { applied: null, attempted: null, upstream: { reachable: null, lastContact: null } };
  let status: unknown = empty;
  if (existsSync(dbFile)) {
    // Read-only: works while the server holds the store open (WAL allows concurrent readers).
    const db = openDb(config.dataDir, { readonly: true });
    try {
      status = readStatus(db);
    } finally {
      db.close();
    }
  }
  if (values.json) {
    out(JSON.stringify(status, null, 2));
    return 0;
  }
  const s = status as ReturnType<typeof readStatus>;
  out(
    `applied:   ${s.applied ? `${s.applied.revision} at ${s.applied.at} (${s.applied.objects} objects)` : 'none'}`,
  );
  out(
    `attempted: ${s.attempted ? `${s.attempted.result}${s.attempted.reason ? ` (${s.attempted.reason}: ${s.attempted.message})` : ''} at ${s.attempted.at}` : 'none'}`,
  );
  out(
    `upstream:  ${s.upstream.reachable === null ? 'not contacted yet' : s.upstream.reachable ? `reachable, last contact ${s.upstream.lastContact}` : `unreachable since ${s.upstream.unreachableSince}`}`,
  );
  return 0;
}

async function demoCluster(dataDir: string) {
  // Reuse the running demo server's simulator when there is one, so the CLI acts on what the page shows.
  const file = demoKubeconfigPath(dataDir);
  if (existsSync(file)) {
    const cluster = createClusterClient(loadKubeConfig({ mode: 'kubeconfig', path: file }));
    try {
      await cluster.ping();
      return { cluster, sim: null };
    } catch {
      // Not running: start one below.
    }
  }
  return null;
}

async function cmdSync(args: string[]): Promise<number> {
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
        source: createSource(config.source),
        sourcePath: config.source.path,
        log,
      },
      'cli',
      process.env.USER ?? 'cli',
    );
    out(`${run.result}${run.reason ? ` (${run.reason}): ${run.message}` : ''}`);
    for (const c of run.changes) out(`  ${c.action.padEnd(10)} ${c.ref}${c.error ? ` — ${c.error}` : ''}`);
    return run.result === 'succeeded' ? 0 : 1;
  } finally {
    await connected.sim?.close();
    db.close();
    log.flush();
  }
}

async function cmdSim(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, kubeconfig: { type: 'string' } },
  });
  const port = values.port ? Number(values.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: "${values.port}" is not a port`);
  const kubeconfigPath = path.resolve(values.kubeconfig ?? 'sim-kubeconfig.yaml');
  const { startKubesim } = await import('./kubesim/index.ts');
  const sim = await startKubesim({
    port,
    kubeconfigPath,
    latencyMs: Number(process.env.OUTPOST_SIM_LATENCY_MS ?? 0),
  });
  out(`kubesim listening on ${sim.url}`);
  out(`kubeconfig written to ${kubeconfigPath}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return 0;
}

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'status':
        return cmdStatus(args);
      case 'sync':
        return await cmdSync(args);
      case 'sim':
        return await cmdSim(args);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`outpost: ${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`outpost: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`outpost: ${(err as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await runCli(process.argv.slice(2));
