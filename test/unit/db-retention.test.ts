// Bounded history: unchanged objects counted not listed, unchanged scheduled runs folded, history dropped by age
// and by the store's size with the file shrinking, and the data volume's reserve and full state.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { insertApiSamples } from '../../server/db/api-samples.ts';
import { appendAudit } from '../../server/db/audit.ts';
import { type Db, openDb, StoreFullError } from '../../server/db/open.ts';
import { enforceBounds, storeBytes } from '../../server/db/retention.ts';
import { finishRun, getRun, recentRuns, startRun } from '../../server/db/runs.ts';
import { insertSamples } from '../../server/db/samples.ts';
import { DataVolume, RESERVE_FILE } from '../../server/db/space.ts';
import type { Change } from '../../server/sync/run.ts';
import { hostSample } from '../support/host-sample.ts';
import { silentLog } from '../support/log.ts';

const DAY = 86_400_000;
const objects = (n: number, action: Change['action']): Change[] =>
  Array.from({ length: n }, (_, i) => ({ ref: `apps/v1 Deployment shop/web-${i}`, action }));

/** One finished run at `at`; `changes` as the reconciler reports them. */
function runAt(db: Db, at: Date, changes: Change[], trigger: 'schedule' | 'sync-now' = 'schedule'): number {
  const id = startRun(db, trigger, null, at);
  finishRun(db, id, { result: 'succeeded', message: 'revision abc applied and healthy', changes }, at);
  return id;
}

const rowCount = (db: Db, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

test('a stored change list leaves out unchanged objects and counts them instead', () => {
  const db = openDb(':memory:');
  const id = runAt(db, new Date(), [...objects(299, 'unchanged'), ...objects(1, 'configured')], 'sync-now');
  const run = getRun(db, id);
  assert.equal(run?.changes.length, 1);
  assert.equal(run?.changes[0]?.action, 'configured');
  assert.equal(run?.unchanged, 299);
});

test('1,000 unchanged scheduled runs fold into one row with their count and first and last time', () => {
  const db = openDb(':memory:');
  const start = Date.parse('2026-11-01T00:00:00Z');
  for (let i = 0; i < 1000; i++) runAt(db, new Date(start + i * 300_000), objects(300, 'unchanged'));
  assert.equal(rowCount(db, 'sync_runs'), 1);
  const [run] = recentRuns(db, 5);
  assert.equal(run?.repeats, 1000);
  assert.equal(run?.firstAt, new Date(start).toISOString());
  assert.equal(run?.startedAt, new Date(start + 999 * 300_000).toISOString());
  assert.equal(run?.unchanged, 300);
  assert.deepEqual(run?.changes, []);
});

test('the same failure of scheduled runs again and again folds too, and a different failure does not', () => {
  const db = openDb(':memory:');
  const fail = (i: number, message: string) => {
    const at = new Date(Date.parse('2026-11-01T00:00:00Z') + i * 300_000);
    const id = startRun(db, 'schedule', null, at);
    finishRun(db, id, { result: 'failed', reason: 'FetchFailed', message, changes: [] }, at);
  };
  for (let i = 0; i < 288; i++) fail(i, 'connect ECONNREFUSED 10.0.0.1:443');
  fail(288, 'getaddrinfo ENOTFOUND git.example');
  const runs = recentRuns(db, 10);
  assert.deepEqual(
    runs.map((r) => [r.result, r.repeats, r.message]),
    [
      ['failed', 1, 'getaddrinfo ENOTFOUND git.example'],
      ['failed', 288, 'connect ECONNREFUSED 10.0.0.1:443'],
    ],
  );
});

test('a run that changed something, or that staff started, stays its own row and starts a new fold', () => {
  const db = openDb(':memory:');
  const t = (i: number) => new Date(Date.parse('2026-11-01T00:00:00Z') + i * 300_000);
  for (let i = 0; i < 10; i++) runAt(db, t(i), objects(5, 'unchanged'));
  runAt(db, t(10), objects(1, 'configured'));
  for (let i = 11; i < 20; i++) runAt(db, t(i), objects(5, 'unchanged'));
  runAt(db, t(20), objects(5, 'unchanged'), 'sync-now');
  for (let i = 21; i < 30; i++) runAt(db, t(i), objects(5, 'unchanged'));
  const runs = recentRuns(db, 10).reverse();
  assert.deepEqual(
    runs.map((r) => [r.trigger, r.repeats, r.changes.length]),
    [
      ['schedule', 10, 0],
      ['schedule', 1, 1],
      ['schedule', 9, 0],
      ['sync-now', 1, 0],
      ['schedule', 9, 0],
    ],
  );
});

test('history older than the age bound is removed; the newest runs and 1,000 audit entries always stay', () => {
  const db = openDb(':memory:');
  const now = new Date('2026-12-01T00:00:00Z');
  const old = new Date(now.getTime() - 40 * DAY);
  for (let i = 0; i < 30; i++) runAt(db, new Date(old.getTime() + i * 1000), objects(1, 'configured'));
  for (let i = 0; i < 5; i++) runAt(db, new Date(now.getTime() - i * 1000), objects(1, 'configured'));
  for (let i = 0; i < 1500; i++) appendAudit(db, { actor: 'x', action: 'sync', result: 'ok' }, old);
  for (let i = 0; i < 10; i++) appendAudit(db, { actor: 'x', action: 'sync', result: 'ok' }, now);
  insertSamples(
    db,
    [old.getTime(), now.getTime()].map((at) => hostSample(at, { cpu: 0.1 })),
  );
  insertApiSamples(db, [
    { at: old.getTime(), latencyMs: 3, ok: true },
    { at: now.getTime(), latencyMs: null, ok: false },
  ]);
  const trimmed = enforceBounds(db, { historyMs: 30 * DAY, limitBytes: 1 << 30 }, now);
  // 35 runs: the 20 newest stay whatever their age (15 of the old ones among them).
  assert.equal(rowCount(db, 'sync_runs'), 20);
  assert.equal(trimmed.runs, 15);
  // 1,510 entries: the 500 oldest may go, the newest 1,000 (990 old ones among them) never.
  assert.equal(rowCount(db, 'audit'), 1000);
  assert.equal(rowCount(db, 'host_samples'), 1);
  assert.equal(rowCount(db, 'api_samples'), 1, 'API checks age out with the host samples');
  assert.equal(trimmed.samples, 2);
  assert.throws(
    () => db.prepare('DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)').run(),
    /append-only/,
  );
});

for (const older of [false, true]) {
  test(`a store over its size bound is trimmed oldest first and its file shrinks${older ? ' (a store made before auto_vacuum, converted once)' : ''}`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'outpost-retention-'));
    try {
      const db = openDb(dir);
      if (older) {
        db.pragma('auto_vacuum = NONE');
        db.exec('VACUUM');
        assert.equal(db.pragma('auto_vacuum', { simple: true }), 0);
      }
      const now = Date.parse('2026-12-01T00:00:00Z');
      // 400 runs that each configured 300 objects: ~17 KB of change list apiece.
      for (let i = 0; i < 400; i++)
        runAt(db, new Date(now - (400 - i) * 300_000), objects(300, 'configured'));
      db.pragma('wal_checkpoint(TRUNCATE)');
      const before = statSync(path.join(dir, 'outpost.db')).size;
      const limit = 1 << 20;
      const t = enforceBounds(db, { historyMs: 365 * DAY, limitBytes: limit }, new Date(now));
      const after = statSync(path.join(dir, 'outpost.db')).size;
      assert.ok(before > 4 * limit, `the store grew to ${before} bytes`);
      assert.ok(t.runs > 300, `${t.runs} runs dropped`);
      assert.ok(after <= limit, `the file shrank from ${before} to ${after} bytes (bound ${limit})`);
      assert.ok(storeBytes(db) <= limit);
      // The newest runs are the ones kept.
      assert.equal(recentRuns(db, 1)[0]?.startedAt, new Date(now - 300_000).toISOString());
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the data volume releases its reserve when nearly full, stops writing history, and recovers with room', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-volume-'));
  let free = 100 << 20;
  try {
    const volume = new DataVolume(dir, {
      reserveBytes: 1 << 20,
      log: silentLog,
      bounds: { historyMs: DAY, limitBytes: 8 << 20 },
      freeBytes: () => free,
    });
    const reserve = path.join(dir, RESERVE_FILE);
    assert.equal(statSync(reserve).size, 1 << 20);
    let recovered = 0;
    volume.onRecover(() => recovered++);
    free = 100 << 10;
    volume.check();
    assert.equal(volume.full, true);
    assert.equal(existsSync(reserve), false, 'the reserve is released for the essential writes');
    assert.equal(volume.housekeep(), null, 'no housekeeping writes while full');
    // Room for the reserve but not twice over: still full, so recovering does not fill it straight back up.
    free = (1 << 20) + 1;
    assert.equal(volume.check(), false);
    free = 50 << 20;
    assert.equal(volume.check(), true);
    assert.equal(volume.full, false);
    assert.equal(recovered, 1);
    assert.equal(statSync(reserve).size, 1 << 20);
    volume.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a write the volume has no room for becomes a StoreFullError and marks the volume full', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-volume-'));
  try {
    const volume = new DataVolume(dir, { reserveBytes: 0, log: silentLog, freeBytes: () => 100 << 20 });
    // SQLite's own cap stands in for a full disk: the next page it needs is refused with SQLITE_FULL.
    volume.db.pragma(`max_page_count = ${volume.db.pragma('page_count', { simple: true })}`);
    assert.throws(
      () => {
        for (let i = 0; i < 1000; i++)
          appendAudit(volume.db, { actor: 'x'.repeat(500), action: 'a', result: 'ok' });
      },
      (err: unknown) => err instanceof StoreFullError && /data volume is full/.test(err.message),
    );
    assert.equal(volume.full, true);
    volume.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
