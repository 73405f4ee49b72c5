// The cross-process reconcile lock: a live holder makes others wait; a killed holder does not block forever.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openDb } from '../../server/db/open.ts';
import { tryLock, withReconcileLock } from '../../server/sync/lock.ts';

const HOLDER = `
import { openDb } from './server/db/open.ts';
import { tryLock } from './server/sync/lock.ts';
const db = openDb(process.argv[1]);
if (tryLock(db)) process.exit(3);
process.stdout.write('locked\\n');
setInterval(() => {}, 1000);
`;

function holdLock(dataDir: string) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', HOLDER, dataDir], {
    cwd: path.resolve(import.meta.dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise<typeof child>((resolve) => child.stdout.once('data', () => resolve(child)));
}

test('a second process waits while another holds the reconcile lock, and proceeds when it dies', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-lock-'));
  const db = openDb(dir);
  const child = await holdLock(dir);
  assert.ok(tryLock(db), 'the lock is held by the child');
  let ran = false;
  const waiting = withReconcileLock(db, async () => {
    ran = true;
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(ran, false);
  child.kill('SIGKILL');
  await waiting;
  assert.equal(ran, true);
  assert.equal(tryLock(db), null, 'released after use');
  db.close();
});

test('waiting for the lock gives up with the holder named', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-lock-'));
  const db = openDb(dir);
  const child = await holdLock(dir);
  try {
    await assert.rejects(
      withReconcileLock(db, async () => undefined, { timeoutMs: 300 }),
      new RegExp(`another sync \\(process ${child.pid} on .*\\) is still running`),
    );
  } finally {
    child.kill('SIGKILL');
    db.close();
  }
});
