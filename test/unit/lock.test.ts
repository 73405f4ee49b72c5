// The cross-process reconcile lock: a live holder makes others wait; a killed holder does not block forever.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type Db, openDb } from '../../server/db/open.ts';
import { getRun, startRun } from '../../server/db/runs.ts';
import { LEASE_MS, lockLease, renewLock, tryLock, withReconcileLock } from '../../server/sync/lock.ts';

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

/** A lease row as a pod on another host left it: its process is gone with the pod, so nothing renews it. */
function leftByReplacedPod(db: Db, renewedAt: number) {
  lockLease.set(db, {
    pid: 1,
    host: 'outpost-5d8f7-old',
    since: new Date(renewedAt - 60_000).toISOString(),
    renewedAt: new Date(renewedAt).toISOString(),
  });
}

test('a lease a replaced pod stopped renewing is taken over after LEASE_MS and its open run closed', () => {
  const db = openDb(mkdtempSync(path.join(tmpdir(), 'outpost-lock-')));
  const t0 = Date.parse('2026-12-01T10:00:00Z');
  leftByReplacedPod(db, t0);
  const orphanRun = startRun(db, 'schedule', null);
  let t = t0 + LEASE_MS - 1000;
  const taken: { host: string; closed: number }[] = [];
  const opts = {
    now: () => t,
    onTakeover: (h: { host: string }, closed: number) => taken.push({ host: h.host, closed }),
  };
  assert.equal(tryLock(db, opts)?.host, 'outpost-5d8f7-old', 'still within its lease');
  assert.equal(getRun(db, orphanRun)?.result, 'running');
  t = t0 + LEASE_MS + 1;
  assert.equal(tryLock(db, opts), null, 'taken over');
  assert.deepEqual(taken, [{ host: 'outpost-5d8f7-old', closed: 1 }]);
  const closed = getRun(db, orphanRun);
  assert.equal(closed?.result, 'failed');
  assert.equal(closed?.reason, 'Interrupted');
  assert.match(
    closed?.message ?? '',
    /process 1 on outpost-5d8f7-old stopped renewing its lease at 2026-12-01T10:00:00/,
  );
  db.close();
});

test('a holder on another host that keeps renewing is never taken over', () => {
  const db = openDb(mkdtempSync(path.join(tmpdir(), 'outpost-lock-')));
  let t = Date.parse('2026-12-01T10:00:00Z');
  const a = { owner: 'pod-a', host: 'outpost-a', now: () => t };
  const b = { owner: 'pod-b', host: 'outpost-b', now: () => t };
  assert.equal(tryLock(db, a), null);
  for (let i = 0; i < 20; i++) {
    t += LEASE_MS * 0.8;
    assert.equal(renewLock(db, a), true);
    assert.equal(tryLock(db, b)?.host, 'outpost-a', `renewal ${i}`);
  }
  t += LEASE_MS + 1;
  assert.equal(tryLock(db, b), null, 'taken once renewals stop');
  assert.equal(renewLock(db, a), false, 'the old holder learns it lost the lease');
  db.close();
});

test('withReconcileLock renews the lease while its work runs', async () => {
  const db = openDb(mkdtempSync(path.join(tmpdir(), 'outpost-lock-')));
  let t = Date.parse('2026-12-01T10:00:00Z');
  const other = { owner: 'other', host: 'elsewhere', now: () => t };
  await withReconcileLock(
    db,
    async () => {
      for (let i = 0; i < 5; i++) {
        t += LEASE_MS * 0.8;
        // Real time for the (shortened) renewal timer to fire; the lease's clock is the injected one.
        await new Promise((r) => setTimeout(r, 60));
        assert.ok(tryLock(db, other), `still held after ${i + 1} lease-lengths of work`);
      }
    },
    { owner: 'worker', host: 'here', now: () => t, renewMs: 10 },
  );
  assert.equal(tryLock(db, other), null, 'released after the work');
  db.close();
});
