// The outbox of upward reports: events appended in order, bounded in count, read by each sink from its cursor.
import type { Db } from './open.ts';

export type Severity = 'info' | 'warning' | 'error';

export interface OutboxEvent {
  id: string;
  type: string;
  severity: Severity;
  at: string;
  data: unknown;
}

export interface StoredEvent extends OutboxEvent {
  seq: number;
}

export interface Bound {
  /** Most rows kept. */
  max: number;
  /** The type dropped first (heartbeats: a later one says the same and more). */
  dropFirst: string;
  /** The event recorded in place of what had to go; `dropped` is added to its data. */
  notice: () => OutboxEvent;
}

/**
 * Appends events in one transaction and keeps at most `bound.max` rows: the oldest of `dropFirst` go first,
 * then the oldest of any kind; what went is itself recorded as an event. Returns how many were dropped.
 */
export function appendEvents(db: Db, events: OutboxEvent[], bound: Bound): number {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO outbox (id, type, severity, at, data) VALUES (?, ?, ?, ?, ?)',
  );
  const put = (e: OutboxEvent) => insert.run(e.id, e.type, e.severity, e.at, JSON.stringify(e.data));
  return db.transaction(() => {
    for (const e of events) put(e);
    const count = () => (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
    let over = count() - bound.max;
    if (over <= 0) return 0;
    // Room for the event that says what was dropped.
    over += 1;
    let dropped = db
      .prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE type = ? ORDER BY seq LIMIT ?)')
      .run(bound.dropFirst, over).changes;
    if (dropped < over) {
      dropped += db
        .prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ?)')
        .run(over - dropped).changes;
    }
    const notice = bound.notice();
    put({ ...notice, data: { ...(notice.data as object), dropped } });
    return dropped;
  })();
}

interface Row {
  seq: number;
  id: string;
  type: string;
  severity: Severity;
  at: string;
  data: string;
}

/** Events after `seq`, oldest first. */
export function eventsAfter(db: Db, seq: number, limit: number): StoredEvent[] {
  return (db.prepare('SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as Row[]).map(
    (r) => ({ ...r, data: JSON.parse(r.data) as unknown }),
  );
}

export function backlog(db: Db, afterSeq: number): number {
  return (db.prepare('SELECT count(*) AS n FROM outbox WHERE seq > ?').get(afterSeq) as { n: number }).n;
}

export function cursor(db: Db, sink: string): number {
  const row = db.prepare('SELECT seq FROM report_cursors WHERE sink = ?').get(sink) as
    | { seq: number }
    | undefined;
  return row?.seq ?? 0;
}

export function setCursor(db: Db, sink: string, seq: number): void {
  db.prepare(
    'INSERT INTO report_cursors (sink, seq) VALUES (?, ?) ON CONFLICT(sink) DO UPDATE SET seq = excluded.seq',
  ).run(sink, seq);
}

/** Removes what every one of `sinks` has delivered. */
export function trimDelivered(db: Db, sinks: string[]): number {
  if (sinks.length === 0) return 0;
  const upTo = Math.min(...sinks.map((s) => cursor(db, s)));
  return db.prepare('DELETE FROM outbox WHERE seq <= ?').run(upTo).changes;
}

/** The newest event seq, or 0: a sink configured for the first time starts from what is there. */
export function lastSeq(db: Db): number {
  return (db.prepare('SELECT coalesce(max(seq), 0) AS s FROM outbox').get() as { s: number }).s;
}
