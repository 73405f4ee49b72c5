// Schema migrations keyed by SQLite's user_version: each step runs once, in order, in a transaction.
import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.ts';

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the store's schema version ${current} is newer than this Outpost knows (${MIGRATIONS.length}); refusing to downgrade`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    const step = MIGRATIONS[version] as string;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return MIGRATIONS.length;
}
