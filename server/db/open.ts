// Opens the SQLite store with the pragmas Outpost relies on and brings its schema up to date.

import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Problem } from '../problem.ts';
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

/**
 * A write the data volume has no room for (SQLite's "database or disk is full", or a store opened as a
 * read-only snapshot because of it). Pages show it in words; callers that can live without the write catch it.
 */
export class StoreFullError extends Error implements Problem {
  readonly kind = 'unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreFullError';
  }
}

const NO_SPACE = new Set(['SQLITE_FULL', 'SQLITE_IOERR_SHMSIZE', 'ENOSPC', 'EDQUOT']);

/** True when `err` (or one of its causes) says the volume has no room, or the store is a read-only snapshot. */
export function isNoSpace(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof StoreFullError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NO_SPACE.has(code) || code.startsWith('SQLITE_READONLY'))) return true;
  }
  return false;
}

/** Told about every write that failed for lack of space (see db/space.ts: it releases the reserve). */
const onNoSpace = new WeakMap<Db, (err: unknown) => void>();

export function watchNoSpace(db: Db, fn: (err: unknown) => void): void {
  onNoSpace.set(db, fn);
}

export const STORE_FILE = 'outpost.db';

/** Opens `<dataDir>/outpost.db` (or `:memory:`), WAL + synchronous=FULL, and migrates it. */
export function openDb(
  dataDir: string | ':memory:',
  opts: { readonly?: boolean; initEmpty?: boolean } = {},
): Db {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    file = path.join(dataDir, STORE_FILE);
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
    // A WAL store needs its -shm file even to read; on a full volume a reader falls back to a snapshot.
    if (opts.readonly) db.pragma('user_version');
  } catch (err) {
    if (opts.readonly && dataDir !== ':memory:' && isNoSpace(err)) return openSnapshot(dataDir);
    throw storeFailure(file, 'open', err);
  }
  cachePrepared(db);
  guardWrites(db, file);
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
      // The WAL is checkpointed every ~1 MiB and cut back to that size after, instead of keeping its high-water
      // mark: the data directory's bound (OUTPOST_STORE_LIMIT + reserve) must hold between trims too.
      db.pragma(`wal_autocheckpoint = ${WAL_LIMIT_BYTES / 4096}`);
      db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
      // Deleted history gives its pages back to the file system (PRAGMA incremental_vacuum, see retention.ts).
      // auto_vacuum can only be chosen before the first table exists; older stores are converted by retention.
      if ((db.pragma('user_version', { simple: true }) as number) === 0)
        db.pragma('auto_vacuum = INCREMENTAL');
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

/** About what the WAL file grows to between checkpoints, and what it keeps after one. */
export const WAL_LIMIT_BYTES = 1024 * 1024;

/**
 * The store's main file read into memory, read-only: what Outpost runs on when the volume is so full that
 * SQLite cannot even create its -shm file. Commits still in the -wal file (a crash before a checkpoint) are
 * not seen; writes fail with SQLITE_READONLY, which counts as "no space".
 */
export function openSnapshot(dataDir: string): Db {
  const file = path.join(dataDir, STORE_FILE);
  let db: Db;
  try {
    const bytes = readFileSync(file);
    // A store that was never written (first start on a full volume) has no LKG to serve either.
    if (bytes.length === 0) throw new Error('the file is empty: this node never stored anything');
    // Bytes 18-19 say "WAL"; an in-memory database cannot use a WAL, so it is read as a rollback-journal file.
    if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) {
      bytes[18] = 1;
      bytes[19] = 1;
    }
    db = new Database(bytes, { readonly: true });
  } catch (err) {
    throw new StoreError(
      `cannot open the Outpost store ${file}, not even as a read-only snapshot: ${(err as Error).message}`,
      { cause: err },
    );
  }
  cachePrepared(db);
  guardWrites(db, file);
  return db;
}

/**
 * Every write that fails for lack of space becomes a StoreFullError naming the store, and is reported to the
 * volume watcher first — whichever module wrote. Writes are statement runs, transactions and exec.
 */
function guardWrites(db: Db, file: string): void {
  const full = (err: unknown): unknown => {
    if (!isNoSpace(err) || err instanceof StoreFullError) return err;
    onNoSpace.get(db)?.(err);
    return new StoreFullError(`the data volume is full: cannot write to the Outpost store ${file}`, {
      cause: err,
    });
  };
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return fn(...args);
      } catch (err) {
        throw full(err);
      }
    };
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    if (!Object.hasOwn(stmt, 'run')) stmt.run = guard(stmt.run.bind(stmt)) as typeof stmt.run;
    return stmt;
  }) as Db['prepare'];
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const t = transaction(fn);
    return Object.assign(guard(t), {
      deferred: guard(t.deferred),
      immediate: guard(t.immediate),
      exclusive: guard(t.exclusive),
    });
  }) as Db['transaction'];
  db.exec = guard(db.exec.bind(db)) as unknown as Db['exec'];
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
