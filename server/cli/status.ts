// `outpost status [--json]`: the node's sync status from the store, readable while the server runs.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDb } from '../db/open.ts';
import { volumeStateAt } from '../db/space.ts';
import { EMPTY_STATUS, readStatus, type SyncStatus } from '../sync/status.ts';
import { type Command, out } from './io.ts';

function run(args: string[]): number {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const config = loadConfig();
  const dbFile = path.join(config.dataDir, 'outpost.db');
  let status: SyncStatus = EMPTY_STATUS;
  if (existsSync(dbFile)) {
    // Read-only: works while the server holds the store open (WAL allows concurrent readers).
    const db = openDb(config.dataDir, { readonly: true });
    try {
      status = readStatus(db);
    } finally {
      db.close();
    }
    // The server's "data volume full" shows on disk: it released its reserve file.
    const volume = volumeStateAt(config.dataDir, config.store.reserveBytes);
    status = {
      ...status,
      store: { ...status.store, full: volume.full, limitBytes: config.store.limitBytes },
    };
  }
  if (values.json) {
    out(JSON.stringify(status, null, 2));
    return 0;
  }
  const s = status;
  out(
    `applied:   ${s.applied ? `${s.applied.revision} at ${s.applied.at} (${s.applied.objects} objects)` : 'none'}`,
  );
  out(
    `attempted: ${s.attempted ? `${s.attempted.result}${s.attempted.reason ? ` (${s.attempted.reason}: ${s.attempted.message})` : ''} at ${s.attempted.at}` : 'none'}`,
  );
  out(
    `upstream:  ${s.upstream.reachable === null ? 'not contacted yet' : s.upstream.reachable ? `reachable, last contact ${s.upstream.lastContact}` : `unreachable since ${s.upstream.unreachableSince}`}`,
  );
  out(
    `store:     ${s.store.full ? 'DATA VOLUME FULL (serving the last good version read-only; history is not recorded)' : 'ok'}, ${s.store.bytes} bytes${s.store.limitBytes ? ` of ${s.store.limitBytes}` : ''}`,
  );
  return 0;
}

export const statusCommand: Command = {
  name: 'status',
  usage: 'status [--json]',
  summary: 'what the node runs, what was last attempted, upstream reachability',
  run,
};
