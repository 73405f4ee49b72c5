// `outpost status [--json]`: the node's sync status from the store, readable while the server runs.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDb } from '../db/open.ts';
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
    `store:     ${s.store.ok ? `ok${s.store.checkedAt ? ` (checked ${s.store.checkedAt})` : ''}` : `DAMAGED: ${s.store.problem} (syncs stop with StoreCorrupt and remove nothing)`}`,
  );
  out(
    `upstream:  ${s.upstream.reachable === null ? 'not contacted yet' : s.upstream.reachable ? `reachable, last contact ${s.upstream.lastContact}` : `unreachable since ${s.upstream.unreachableSince}`}`,
  );
  return 0;
}

export const statusCommand: Command = {
  name: 'status',
  usage: 'status [--json]',
  summary: 'what the node runs, what was last attempted, upstream reachability',
  run,
};
