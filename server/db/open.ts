// Opens the SQLite store with the pragmas Outpost relies on and brings its schema up to date.
import { mkdirSync, statSync } from 'node:fs';
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

/** A start-up failure that names the store's path and the cause, keeping the cause's code for whoever checks it. */
function storeFailure(file: string, doing: string, err: unknown): StoreError {
  const e = new StoreError(`cannot ${doing} the Outpost store ${file}: ${(err as Error).message}`, {
    cause: err,
  });
  const code = (err as { code?: unknown }).code;
  return code === undefined ? e : Object.assign(e, { code });
}

/**
 * A database file that exists but is empty (0 bytes: a volume restored wrong, a truncated copy) would silently
 * become a new node — accounts, LKG and history gone, enrollment open again. Refused unless asked for.
 */
function refuseEmpty(file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return; // no file yet: a new node
  }
  if (size === 0) {
    throw new StoreError(
      `the Outpost store ${file} is empty (0 bytes): starting would make this a new node (accounts, ` +
        'last-known-good and history gone, enrollment open again). Restore the file from a backup, or set ' +
        'OUTPOST_INIT_EMPTY_DB=1 to start this node afresh.',
    );
  }
}

/** Opens `<dataDir>/outpost.db` (or `:memory:`), WAL + synchronous=FULL, and migrates it. */
export function openDb(
  dataDir: string | ':memory:',
  opts: { readonly?: boolean; initEmpty?: boolean } = {},
): Db {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    file = path.join(dataDir, 'outpost.db');
    try {
      if (!opts.readonly) mkdirSync(dataDir, { recursive: true });
    } catch (err) {
      throw storeFailure(file, 'create the folder of', err);
    }
    if (!opts.initEmpty) refuseEmpty(file);
  }
  let db: Db;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw storeFailure(file, 'open', err);
  }
  cachePrepared(db);
  try {
    // A reader (the CLI while the server runs) waits for a writer instead of failing at once.
    db.pragma('busy_timeout = 5000');
    // better-sqlite3 builds SQLite with a 16 MB page cache; the kernel caches the file anyway, and RSS is budgeted.
    db.pragma('cache_size = -2000');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      // Revisions and the LKG pointer must survive a power cut: FULL fsyncs the WAL on every commit.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    }
  } catch (err) {
    db.close();
    throw storeFailure(file, 'prepare', err);
  }
  return db;
}

/** What the start-up check of the store found: `ok`, or SQLite's own words for what is damaged. */
export interface StoreCheck {
  ok: boolean;
  problems: string[];
  ms: number;
  at: string;
}

/**
 * Start-up check of the store file: `PRAGMA integrity_check`. On a 55 MB store (20 revisions of 300 objects, 3,000
 * runs) it costs the same as `quick_check` (~0.2 s each, `npm run bench store-check`): both walk every page, and the
 * few indexes are small, so the full check is taken. A store too damaged to answer counts as damaged, not a crash.
 */
export function checkStore(db: Db, now = new Date()): StoreCheck {
  const started = performance.now();
  let problems: string[];
  try {
    problems = (db.pragma('integrity_check(20)') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .filter((p) => p !== 'ok');
  } catch (err) {
    problems = [(err as Error).message];
  }
  return {
    ok: problems.length === 0,
    problems,
    ms: Math.round(performance.now() - started),
    at: now.toISOString(),
  };
}

/**
 * Compiles each statement once per connection: preparing costs more than most queries Outpost runs (a page's
 * session lookup, say). No caller changes a statement's mode (pluck, raw), so sharing one is safe.
 */
function cachePrepared(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      // Bounded: a few statements are built with a variable number of placeholders.
      if (cache.size >= 256) cache.delete(cache.keys().next().value as string);
      cache.set(sql, stmt);
    }
    return stmt;
  }) as Db['prepare'];
}
