// Host samples: batched inserts, time-bucketed reads for sparklines, retention by age.
import type { Db } from './open.ts';

export interface HostSample {
  /** unix ms */
  at: number;
  /** busy share of all cores, 0..1 */
  cpu: number | null;
  memUsed: number | null;
  memTotal: number | null;
  diskUsed: number | null;
  diskTotal: number | null;
  /** °C; null when the hardware has no sensor */
  temp: number | null;
  /** bytes/s over the sample interval */
  rx: number | null;
  tx: number | null;
  load1: number | null;
}

interface Row {
  at: number;
  cpu: number | null;
  mem_used: number | null;
  mem_total: number | null;
  disk_used: number | null;
  disk_total: number | null;
  temp: number | null;
  rx: number | null;
  tx: number | null;
  load1: number | null;
}

const toSample = (r: Row): HostSample => ({
  at: r.at,
  cpu: r.cpu,
  memUsed: r.mem_used,
  memTotal: r.mem_total,
  diskUsed: r.disk_used,
  diskTotal: r.disk_total,
  temp: r.temp,
  rx: r.rx,
  tx: r.tx,
  load1: r.load1,
});

/** One transaction for the whole batch: one fsync instead of one per sample. */
export function insertSamples(db: Db, samples: readonly HostSample[]): void {
  if (samples.length === 0) return;
  const insert = db.prepare(
    `INSERT OR REPLACE INTO host_samples (at, cpu, mem_used, mem_total, disk_used, disk_total, temp, rx, tx, load1)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const s of samples)
      insert.run(s.at, s.cpu, s.memUsed, s.memTotal, s.diskUsed, s.diskTotal, s.temp, s.rx, s.tx, s.load1);
  })();
}

/** Raw samples at or after `fromMs`, oldest first, at most `limit`. */
export function samplesSince(db: Db, fromMs: number, limit = 10_000): HostSample[] {
  const rows = db
    .prepare('SELECT * FROM host_samples WHERE at >= ? ORDER BY at LIMIT ?')
    .all(fromMs, limit) as Row[];
  return rows.map(toSample);
}

/** Averages per bucket of `bucketMs` since `fromMs` (each row's `at` is its bucket's start), oldest first. */
export function bucketedSamples(db: Db, fromMs: number, bucketMs: number): HostSample[] {
  const rows = db
    .prepare(
      // Parameters bind as REAL: the bucket size is cast so the division is an integer one (else every sample
      // was a bucket of its own, and a week's chart read every raw sample).
      `SELECT (at / CAST(? AS INTEGER)) * ? AS at, avg(cpu) AS cpu, avg(mem_used) AS mem_used, max(mem_total) AS mem_total,
         avg(disk_used) AS disk_used, max(disk_total) AS disk_total, avg(temp) AS temp, avg(rx) AS rx,
         avg(tx) AS tx, avg(load1) AS load1
       FROM host_samples WHERE at >= ? GROUP BY at / CAST(? AS INTEGER) ORDER BY 1`,
    )
    .all(bucketMs, bucketMs, fromMs, bucketMs) as Row[];
  return rows.map(toSample);
}

/** Retention: deletes samples older than `beforeMs`; returns how many. */
export function pruneSamples(db: Db, beforeMs: number): number {
  return db.prepare('DELETE FROM host_samples WHERE at < ?').run(beforeMs).changes;
}

export function countSamples(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM host_samples').get() as { n: number }).n;
}
