// The Kubernetes API's answers to the once-a-minute check: batched inserts, per-bucket sums for charts, retention.
import type { Db } from './open.ts';

export interface ApiSample {
  /** unix ms the check started */
  at: number;
  /** ms until the API answered; null when it did not */
  latencyMs: number | null;
  ok: boolean;
}

/** One bucket of checks: sums rather than means, so buckets from the store and from memory add up. */
export interface ApiBucket {
  /** the bucket's start, unix ms */
  at: number;
  checks: number;
  failed: number;
  /** sum of the answered checks' latencies (their count is checks - failed) */
  latencySum: number;
}

/** One transaction for the whole batch. */
export function insertApiSamples(db: Db, samples: readonly ApiSample[]): void {
  if (samples.length === 0) return;
  const insert = db.prepare('INSERT OR REPLACE INTO api_samples (at, latency_ms, ok) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const s of samples) insert.run(s.at, s.ok ? s.latencyMs : null, s.ok ? 1 : 0);
  })();
}

/** Checks at or after `fromMs`, summed per bucket of `bucketMs` (each row's `at` its bucket's start), oldest first. */
export function apiBuckets(db: Db, fromMs: number, bucketMs: number): ApiBucket[] {
  return db
    .prepare(
      // Parameters bind as REAL: the bucket size is cast so the division is an integer one.
      `SELECT (at / CAST(? AS INTEGER)) * ? AS at, count(*) AS checks, sum(1 - ok) AS failed,
         coalesce(sum(CASE WHEN ok = 1 THEN latency_ms END), 0) AS latencySum
       FROM api_samples WHERE at >= ? GROUP BY at / CAST(? AS INTEGER) ORDER BY 1`,
    )
    .all(bucketMs, bucketMs, fromMs, bucketMs) as ApiBucket[];
}

/** Retention: deletes checks older than `beforeMs`; returns how many. */
export function pruneApiSamples(db: Db, beforeMs: number): number {
  return db.prepare('DELETE FROM api_samples WHERE at < ?').run(beforeMs).changes;
}
