// `outpost status [--json]`: the node's sync status from the store, readable while the server runs, with a
// broken configuration (the store's folder is all it needs) and on a read-only folder.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, loadConfig, loadDataDir } from '../config.ts';
import { ConfigError } from '../config-error.ts';
import { volumeStateAt } from '../db/space.ts';
import { EMPTY_STATUS, readStatus, type SyncStatus } from '../sync/status.ts';
import { type Command, out } from './io.ts';
import { readStore } from './store.ts';

/**
 * Where the store is, and whether the configuration is usable. A configuration problem is said on stderr and
 * in the exit code (2, as for every command), not a reason to show nothing.
 */
function dataDir(): { dir: string; config: Config | null } {
  try {
    const config = loadConfig();
    return { dir: config.dataDir, config };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const dir = loadDataDir();
    process.stderr.write(
      `outpost: the configuration has problems (the server will not start):\n${err.message}\n`,
    );
    process.stderr.write(`outpost: showing the status stored in ${dir}\n`);
    return { dir, config: null };
  }
}

function upstreamLine(u: SyncStatus['upstream']): string {
  if (u.reachable === null) return 'not contacted yet';
  if (u.broken)
    return `broken since ${u.brokenSince} (it answers, but not with a usable update): ${u.lastError}`;
  if (!u.reachable) return `unreachable since ${u.unreachableSince}`;
  return `reachable, last contact ${u.lastContact}`;
}

function run(args: string[]): number {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const { dir, config } = dataDir();
  const code = config ? 0 : 2;
  let status: SyncStatus = existsSync(path.join(dir, 'outpost.db'))
    ? readStore(dir, readStatus)
    : EMPTY_STATUS;
  if (config && status !== EMPTY_STATUS) {
    // The server's "data volume full" shows on disk: it released its reserve file.
    const volume = volumeStateAt(config.dataDir, config.store.reserveBytes);
    status = {
      ...status,
      store: { ...status.store, full: volume.full, limitBytes: config.store.limitBytes },
    };
  }
  if (values.json) {
    out(JSON.stringify(status, null, 2));
    return code;
  }
  const s = status;
  out(
    `applied:   ${s.applied ? `${s.applied.revision} at ${s.applied.at} (${s.applied.objects} objects)` : 'none'}`,
  );
  out(
    `attempted: ${s.attempted ? `${s.attempted.result}${s.attempted.reason ? ` (${s.attempted.reason}: ${s.attempted.message})` : ''} at ${s.attempted.at}` : 'none'}`,
  );
  const damaged = `DAMAGED: ${s.store.problem} (syncs stop with StoreCorrupt and remove nothing)`;
  const integrity = s.store.ok ? `ok${s.store.checkedAt ? ` (checked ${s.store.checkedAt})` : ''}` : damaged;
  out(
    `store:     ${s.store.full ? `DATA VOLUME FULL (serving the last good version read-only; history is not recorded)${s.store.ok ? '' : `; ${damaged}`}` : integrity}`,
  );
  if (s.store.bytes > 0)
    out(`size:      ${s.store.bytes} bytes${s.store.limitBytes ? ` of ${s.store.limitBytes} allowed` : ''}`);
  out(`upstream:  ${upstreamLine(s.upstream)}`);
  if (s.upstream.lastFullFetch) out(`verified:  last full fetch ${s.upstream.lastFullFetch}`);
  return code;
}

export const statusCommand: Command = {
  name: 'status',
  usage: 'status [--json]',
  summary: 'what the node runs, what was last attempted, upstream reachability',
  run,
};
