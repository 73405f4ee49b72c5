// Small durable key/value facts (the LKG pointer, upstream reachability, the lock lease…): one row per key, JSON.
// Each key has one typed accessor, a `stateCell`, declared once by the module that owns the key
// (docs/architecture.md lists them); nobody else names the key or re-types its value.
import type { Db } from './open.ts';

export type StateKey =
  | 'lkg_revision' // the last-known-good pointer
  | 'upstream' // reachability and last contact
  | 'poll' // the source's conditional-fetch token
  | 'reconcile_lock' // which process is reconciling right now, as a lease it renews
  | 'store_check' // the start-up integrity check of the store: ok or what is damaged
  | 'last_sweep' // when labelled objects outside the running revision were last looked for
  | 'held' // a revision rolled back from, not re-applied until upstream changes or staff retry
  | 'staff_hold' // staff paused new revisions until a time
  | 'highest_version' // anti-rollback: the highest signed bundle version verified
  | 'report_state' // the state last reported upward and since when (a restart is not a state change)
  | 'live_health'; // the server's last reading of the live objects' health, for `outpost status`

/** One key of the state table with the type of its value. */
export interface StateCell<T> {
  readonly key: StateKey;
  get(db: Db): T | null;
  set(db: Db, value: T, now?: Date): void;
  clear(db: Db): void;
}

export function stateCell<T>(key: StateKey): StateCell<T> {
  return {
    key,
    get: (db) => getState<T>(db, key),
    set: (db, value, now) => setState(db, key, value, now),
    clear: (db) => clearState(db, key),
  };
}

/** @deprecated Read through the key's `stateCell` (sync/state-keys.ts); kept for callers not yet moved. */
export function getState<T>(db: Db, key: StateKey): T | null {
  const row = db.prepare('SELECT value FROM state WHERE key = ?').get(key) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as T) : null;
}

function setState(db: Db, key: StateKey, value: unknown, now = new Date()): void {
  db.prepare(
    `INSERT INTO state (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(key, JSON.stringify(value), now.toISOString());
}

function clearState(db: Db, key: StateKey): void {
  db.prepare('DELETE FROM state WHERE key = ?').run(key);
}
