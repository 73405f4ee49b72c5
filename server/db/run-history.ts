// Sync run history for the console: pages of runs with change counts computed in SQL (no JSON parsing per row).

import type { RunRecord } from '../sync/run.ts';
import type { Db } from './open.ts';
import { type RunRow, runSummary } from './runs.ts';

export interface RunListItem extends Omit<RunRecord, 'stages' | 'changes'> {
  revisionDigest: string | null;
  /** created + configured + deleted */
  changed: number;
  failed: number;
}

/** Newest first; `beforeId` pages backwards. */
export function runPage(db: Db, opts: { beforeId?: number | undefined; limit: number }): RunListItem[] {
  const rows = db
    .prepare(
      `SELECT r.id, r.trigger, r.actor, r.started_at, r.finished_at, r.revision_id, v.digest, r.result, r.reason,
         r.message, r.duration_ms, r.unchanged, r.repeats, r.first_at,
         (SELECT count(*) FROM json_each(r.changes)
            WHERE json_extract(value, '$.action') IN ('created', 'configured', 'deleted')) AS changed,
         (SELECT count(*) FROM json_each(r.changes) WHERE json_extract(value, '$.action') = 'failed') AS failed
       FROM sync_runs r LEFT JOIN revisions v ON v.id = r.revision_id
       WHERE r.id < ? ORDER BY r.id DESC LIMIT ?`,
    )
    .all(opts.beforeId ?? Number.MAX_SAFE_INTEGER, opts.limit) as (Omit<RunRow, 'stages' | 'changes'> & {
    digest: string | null;
    changed: number;
    failed: number;
  })[];
  return rows.map((r) => ({
    ...runSummary(r),
    revisionDigest: r.digest,
    changed: r.changed,
    failed: r.failed,
  }));
}
