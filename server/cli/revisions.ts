// `outpost revisions`: the revisions stored on this node, newest first, with their status, and which one runs and
// which one is held after a failed rollout (as the console's revisions page marks them).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Db } from '../db/open.ts';
import { listRevisions, type RevisionSummary, shortDigest } from '../db/revisions.ts';
import { heldRevision } from '../sync/holds.ts';
import { type RevisionTitle, revisionTitle, titleText } from '../sync/revision-title.ts';
import { lkgRevision } from '../sync/state-keys.ts';
import { type Command, out } from './io.ts';
import { readStore, storeConfig } from './store.ts';

export interface RevisionLine extends RevisionSummary {
  /** What people recognise it by (commit subject and author, upload name, signed version), as the console shows. */
  title: RevisionTitle | null;
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
    title: revisionTitle(r),
    running: lkg?.revisionId === r.id,
    held:
      held && (held.revisionId === r.id || held.digest === r.digest)
        ? { reason: held.reason, message: held.message }
        : null,
  }));
}

/** A pipe or a file has no width: lines are kept to what a terminal of 80 columns shows with a margin. */
const PLAIN_WIDTH = 72;
/** A title is never cut shorter than this, even when the rest of its line is long. */
const MIN_TITLE = 20;

/** Minutes are enough to tell fetches apart on one line (UTC, as stored); --json keeps the full time. */
const minute = (iso: string) => `${iso.slice(0, 16)}Z`;

/**
 * One revision on one line: id, digest, state (running or held, as the page's badges, else its status), fetched,
 * then its title cut to fit `width` (or, with no title, its version), and why it is held and how to release it.
 */
export function plainLine(r: RevisionLine, width: number): string {
  const state = r.running ? 'running' : r.held ? 'held' : r.status;
  const why = r.held && !r.running ? `  (${r.held.reason}; release: \`outpost retry\`)` : '';
  const head = `${String(r.id).padStart(4)}  ${shortDigest(r.digest)}  ${state.padEnd(7)}  ${minute(r.fetchedAt)}`;
  const title = Array.from(titleText(r.title));
  if (title.length === 0) return `${head}  ${r.version ?? '-'}${why}`;
  const room = Math.max(MIN_TITLE, width - head.length - 2);
  const shown = title.length > room ? `${title.slice(0, room - 1).join('')}…` : title.join('');
  return `${head}  ${shown}${why}`;
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
    else for (const r of revs) out(plainLine(r, process.stdout.columns || PLAIN_WIDTH));
    return 0;
  },
};
