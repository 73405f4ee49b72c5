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

/** Finished runs started in one time bucket, for the sync duration chart. */
export interface RunBucket {
  /** The bucket's start, unix ms. */
  at: number;
  /** Records in the bucket: an unchanged scheduled run folded into a later one is counted once, at its last start. */
  runs: number;
  /** Of those, failed or rolled back. */
  failed: number;
  longestMs: number;
  shortestMs: number;
}

/** Finished runs started at or after `fromMs`, per bucket of `bucketMs` (at most one row per bucket), oldest first. */
export function runBuckets(db: Db, fromMs: number, bucketMs: number): RunBucket[] {
  return (
    db
      .prepare(
        `SELECT (CAST(strftime('%s', started_at) AS INTEGER) * 1000 / CAST(? AS INTEGER)) * ? AS at, count(*) AS runs,
         sum(result IN ('failed', 'rolled-back')) AS failed, max(duration_ms) AS longestMs,
         min(duration_ms) AS shortestMs
       FROM sync_runs WHERE started_at >= ? AND result != 'running' AND duration_ms IS NOT NULL
       GROUP BY 1 ORDER BY 1`,
      )
      // Parameters bind as REAL: the bucket size is cast so the division is an integer one.
      .all(bucketMs, bucketMs, new Date(fromMs).toISOString()) as RunBucket[]
  );
}
