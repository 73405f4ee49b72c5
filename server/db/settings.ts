// Settings changed on the console (source, schedule, maintenance windows, pause): they override the config file.
import type { Db } from './open.ts';

export interface StoredSetting {
  key: string;
  value: unknown;
  updatedAt: string;
  updatedBy: string;
}

export function readSettings(db: Db): Map<string, StoredSetting> {
  const rows = db.prepare('SELECT key, value, updated_at, updated_by FROM console_settings').all() as {
    key: string;
    value: string;
    updated_at: string;
    updated_by: string;
  }[];
  return new Map(
    rows.map((r) => [
      r.key,
      { key: r.key, value: JSON.parse(r.value), updatedAt: r.updated_at, updatedBy: r.updated_by },
    ]),
  );
}

export function writeSetting(db: Db, key: string, value: unknown, by: string, now = new Date()): void {
  db.prepare(
    `INSERT INTO console_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
       updated_by = excluded.updated_by`,
  ).run(key, JSON.stringify(value), now.toISOString(), by);
}

/** Back to the config file's value. */
export function clearSetting(db: Db, key: string): void {
  db.prepare('DELETE FROM console_settings WHERE key = ?').run(key);
}
