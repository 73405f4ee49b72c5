// `outpost revisions`: the revisions stored on this node, newest first, with their status, and which one runs and
// which one is held after a failed rollout (as the console's revisions page marks them).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Db } from '../db/open.ts';
import { listRevisions, type RevisionSummary, shortDigest } from '../db/revisions.ts';
import { heldRevision } from '../sync/holds.ts';
import { lkgRevision } from '../sync/state-keys.ts';
import { type Command, out } from './io.ts';
import { readStore, storeConfig } from './store.ts';

export interface RevisionLine extends RevisionSummary {
  /** The last-known-good revision: what the cluster runs. */
  running: boolean;
  /** Rolled back from and held: not applied again until `outpost retry` or a newer revision. */
  held: { reason: string; message: string } | null;
}

export function revisionLines(db: Db): RevisionLine[] {
  const lkg = lkgRevision.get(db);
  const held = heldRevision(db);
  return listRevisions(db).map((r) => ({
    ...r,
    running: lkg?.revisionId === r.id,
    held:
      held && (held.revisionId === r.id || held.digest === r.digest)
        ? { reason: held.reason, message: held.message }
        : null,
  }));
}

export const revisionsCommand: Command = {
  async run(args) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
    const config = await storeConfig();
    if (!existsSync(path.join(config.dataDir, 'outpost.db'))) {
      out(values.json ? '[]' : 'no revisions stored yet');
      return 0;
    }
    const revs = readStore(config.dataDir, revisionLines);
    if (values.json) out(JSON.stringify(revs, null, 2));
    else
      for (const r of revs) {
        const mark = r.running
          ? '  ← running'
          : r.held
            ? `  ← held (${r.held.reason}; release: \`outpost retry\`)`
            : '';
        out(
          `${String(r.id).padStart(4)}  ${shortDigest(r.digest)}  ${r.status.padEnd(7)}  ${r.version ?? '-'}  ${r.fetchedAt}${mark}`,
        );
      }
    return 0;
  },
};
