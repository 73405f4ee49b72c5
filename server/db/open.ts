// Opens the SQLite store with the pragmas Outpost relies on and brings its schema up to date.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrate.ts';

export type Db = Database.Database;

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** Opens `<dataDir>/outpost.db` (or `:memory:`), WAL + synchronous=FULL, and migrates it. */
export function openDb(dataDir: string | ':memory:', opts: { readonly?: boolean } = {}): Db {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    if (!opts.readonly) mkdirSync(dataDir, { recursive: true });
    file = path.join(dataDir, 'outpost.db');
  }
  let db: Db;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw new StoreError(`cannot open the Outpost store ${file}: ${(err as Error).message}`, { cause: err });
  }
  // A reader (the CLI while the server runs) waits for a writer instead of failing at once.
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    // Revisions and the LKG pointer must survive a power cut: FULL fsyncs the WAL on every commit.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  }
  return db;
}
