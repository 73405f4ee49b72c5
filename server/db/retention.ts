// Bounds on what grows in the store: sync runs, audit entries, host and API samples by age and by the store's size,
// with the freed pages given back to the file system so the file itself shrinks.
import { statSync } from 'node:fs';
import type { Db } from './open.ts';

export interface StoreBounds {
  /** History (runs, audit, samples) older than this goes. */
  historyMs: number;
  /** The store's files (database + WAL) are trimmed, oldest history first, to stay under this. */
  limitBytes: number;
}

export interface Trimmed {
  runs: number;
  audit: number;
  samples: number;
  /** Bytes of the store's files afterwards. */
  bytes: number;
}

/** The newest runs always stay, whatever their age: the run pages and `status` need them. */
const KEEP_RUNS = 20;
/** Audit entries the schema never lets go (see migration 005). */
const KEEP_AUDIT = 1000;
/** Trimming for size stops this far under the limit, so it does not run again at the next run. */
const TRIM_TO = 0.8;
const TRIM_ROUNDS = 30;

/** Bytes the store occupies on disk: the database file and its WAL (pages in use, for an in-memory store). */
export function storeBytes(db: Db): number {
  const file = db.name;
  if (db.memory || !file) return liveBytes(db);
  let bytes = 0;
  for (const f of [file, `${file}-wal`]) {
    try {
      bytes += statSync(f).size;
    } catch {
      // No WAL right now (after a clean close), or a snapshot.
    }
  }
  return bytes;
}

/** Rows in each table that grows, for the support bundle. */
export function historyCounts(
  db: Db,
): Record<'runs' | 'foldedRuns' | 'audit' | 'samples' | 'apiSamples' | 'revisions', number> {
  const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return {
    runs: n('SELECT count(*) AS n FROM sync_runs'),
    foldedRuns: n('SELECT coalesce(sum(repeats), 0) AS n FROM sync_runs'),
    audit: n('SELECT count(*) AS n FROM audit'),
    samples: n('SELECT count(*) AS n FROM host_samples'),
    apiSamples: n('SELECT count(*) AS n FROM api_samples'),
    revisions: n('SELECT count(*) AS n FROM revisions'),
  };
}

/** Bytes of pages holding data: what the file comes down to once free pages are vacuumed away. */
function liveBytes(db: Db): number {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  return (pages - free) * (db.pragma('page_size', { simple: true }) as number);
}

/**
 * Drops history older than the age bound, then the oldest history until the store fits its size bound.
 * `roomToConvert`: the volume has room for a one-time full VACUUM (a copy of the store) if the store needs one.
 */
export function enforceBounds(db: Db, bounds: StoreBounds, now = new Date(), roomToConvert = true): Trimmed {
  const out: Trimmed = { runs: 0, audit: 0, samples: 0, bytes: 0 };
  const cutoff = now.getTime() - bounds.historyMs;
  const add = (t: { runs: number; audit: number; samples: number }) => {
    out.runs += t.runs;
    out.audit += t.audit;
    out.samples += t.samples;
  };
  add(dropOlderThan(db, cutoff));
  for (let round = 0; round < TRIM_ROUNDS && liveBytes(db) > bounds.limitBytes * TRIM_TO; round++) {
    const t = dropOldestShare(db, 0.2);
    if (t.runs + t.audit + t.samples === 0) break;
    add(t);
  }
  if (out.runs + out.audit + out.samples > 0) shrink(db, roomToConvert);
  out.bytes = storeBytes(db);
  return out;
}

function dropOlderThan(db: Db, cutoffMs: number): { runs: number; audit: number; samples: number } {
  const iso = new Date(cutoffMs).toISOString();
  return db.transaction(() => ({
    runs: db
      .prepare(
        `DELETE FROM sync_runs WHERE started_at < ? AND result != 'running'
           AND id <= (SELECT max(id) FROM sync_runs) - ?`,
      )
      .run(iso, KEEP_RUNS).changes,
    audit: db
      .prepare('DELETE FROM audit WHERE at < ? AND id <= (SELECT max(id) FROM audit) - ?')
      .run(iso, KEEP_AUDIT).changes,
    // Host readings and the API's answers to its checks are both "samples": one age, one count.
    samples:
      db.prepare('DELETE FROM host_samples WHERE at < ?').run(cutoffMs).changes +
      db.prepare('DELETE FROM api_samples WHERE at < ?').run(cutoffMs).changes,
  }))();
}

/** The oldest `share` of each history table (what the newest-kept rules allow). */
function dropOldestShare(db: Db, share: number): { runs: number; audit: number; samples: number } {
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const take = (n: number, keep: number) => Math.max(0, Math.min(Math.ceil(n * share), n - keep));
  return db.transaction(() => {
    const runs = take(count('SELECT count(*) AS n FROM sync_runs'), KEEP_RUNS);
    const audit = take(count('SELECT count(*) AS n FROM audit'), KEEP_AUDIT);
    const samples = take(count('SELECT count(*) AS n FROM host_samples'), 0);
    const apiSamples = take(count('SELECT count(*) AS n FROM api_samples'), 0);
    return {
      runs: db
        .prepare(
          `DELETE FROM sync_runs WHERE id IN
             (SELECT id FROM sync_runs WHERE result != 'running' ORDER BY id LIMIT ?)`,
        )
        .run(runs).changes,
      audit: db
        .prepare(
          `DELETE FROM audit WHERE id IN (SELECT id FROM audit
             WHERE id <= (SELECT max(id) FROM audit) - ? ORDER BY id LIMIT ?)`,
        )
        .run(KEEP_AUDIT, audit).changes,
      samples:
        db
          .prepare('DELETE FROM host_samples WHERE at IN (SELECT at FROM host_samples ORDER BY at LIMIT ?)')
          .run(samples).changes +
        db
          .prepare('DELETE FROM api_samples WHERE at IN (SELECT at FROM api_samples ORDER BY at LIMIT ?)')
          .run(apiSamples).changes,
    };
  })();
}

/**
 * Gives free pages back to the file system. A store made before auto_vacuum was chosen is converted once
 * (a full VACUUM); after that, incremental vacuum moves only what was freed. The WAL is then checkpointed and
 * cut back to its size limit.
 */
export function shrink(db: Db, roomToConvert = true): void {
  if (db.memory) return;
  if ((db.pragma('auto_vacuum', { simple: true }) as number) === 2) db.pragma('incremental_vacuum');
  else if (roomToConvert) {
    db.pragma('auto_vacuum = INCREMENTAL');
    db.exec('VACUUM');
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
}
