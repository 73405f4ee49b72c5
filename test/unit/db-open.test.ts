// Opening the store at start-up: an empty database file is refused rather than becoming a new node, and
// failures name the store's path and the cause.
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openDb, StoreError } from '../../server/db/open.ts';

test('openDb refuses a 0-byte database naming the file and the way out, and leaves it untouched', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-open-'));
  const file = path.join(dir, 'outpost.db');
  writeFileSync(file, '');
  assert.throws(
    () => openDb(dir),
    (err: unknown) =>
      err instanceof StoreError &&
      err.message.includes(`${file} is empty (0 bytes)`) &&
      err.message.includes('OUTPOST_INIT_EMPTY_DB=1'),
  );
  assert.equal(statSync(file).size, 0);
});

test('openDb starts afresh over a 0-byte database when told to', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-open-'));
  writeFileSync(path.join(dir, 'outpost.db'), '');
  const db = openDb(dir, { initEmpty: true });
  assert.ok((db.pragma('user_version', { simple: true }) as number) > 0);
  db.close();
});

test('openDb names the store path and the cause when its folder cannot be made', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-open-'));
  const notADir = path.join(dir, 'file');
  writeFileSync(notADir, 'x');
  const dataDir = path.join(notADir, 'data');
  assert.throws(
    () => openDb(dataDir),
    (err: unknown) =>
      err instanceof StoreError &&
      err.message.startsWith(
        `cannot create the folder of the Outpost store ${path.join(dataDir, 'outpost.db')}: `,
      ) &&
      /ENOTDIR/.test(err.message) &&
      (err as { code?: string }).code === 'ENOTDIR',
  );
});

test('openDb names the store path when the file is not a database', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-open-'));
  const file = path.join(dir, 'outpost.db');
  writeFileSync(file, 'this is not a database, just text that is long enough to have a header');
  assert.throws(
    () => openDb(dir),
    (err: unknown) =>
      err instanceof StoreError && err.message.startsWith(`cannot prepare the Outpost store ${file}: `),
  );
});
