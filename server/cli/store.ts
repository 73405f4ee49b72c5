// Reading the store from a CLI command without writing anything — also where the data folder is read-only.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { plainDataDir } from '../config-file.ts';
import { type Db, openDb } from '../db/open.ts';

/**
 * Runs `fn` on the store opened read-only (works while the server holds it: WAL allows readers). A read-only
 * folder (a mounted volume, a full-disk read-only remount) leaves SQLite no room for the WAL index it needs
 * beside the file; then a private copy is read instead, so `status` still answers.
 */
export function readStore<T>(dataDir: string, fn: (db: Db) => T): T {
  let db: Db;
  let copy: string | null = null;
  try {
    db = openDb(dataDir, { readonly: true });
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_CANTOPEN') throw err;
    copy = mkdtempSync(path.join(tmpdir(), 'outpost-read-'));
    for (const name of ['outpost.db', 'outpost.db-wal']) {
      const from = path.join(dataDir, name);
      if (existsSync(from)) copyFileSync(from, path.join(copy, name));
    }
    db = openDb(copy, { readonly: true });
  }
  try {
    return fn(db);
  } finally {
    db.close();
    if (copy) rmSync(copy, { recursive: true, force: true });
  }
}

/**
 * The configuration of a command that reads only the store (`outpost revisions`): where it is. The rest of the
 * settings is not validated, which spares loading the validator; a data directory that is not a plain path still
 * goes through it.
 */
export async function storeConfig(): Promise<{ dataDir: string }> {
  const plain = plainDataDir();
  if (plain !== null) return { dataDir: plain };
  const { loadConfig } = await import('../config.ts');
  return { dataDir: loadConfig().dataDir };
}
