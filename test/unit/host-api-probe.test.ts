// The Kubernetes API check: latency or no answer per check, on the charts' time grid, stored and unwritten alike.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDb } from '../../server/db/open.ts';
import { ApiProbe } from '../../server/host/api-probe.ts';
import { chartGrid } from '../../server/host/sampler.ts';
import { silentLog } from '../support/log.ts';

const MIN = 60_000;

test('a check records how long the API took to answer, or that it did not', async () => {
  const db = openDb(':memory:');
  let answer: 'ok' | 'refused' = 'ok';
  const probe = new ApiProbe({
    db,
    log: silentLog,
    check: async () => {
      if (answer === 'refused') throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
    },
  });
  assert.equal(probe.last(), null);
  const ok = await probe.checkNow(1_000 * MIN);
  assert.equal(ok?.ok, true);
  assert.ok((ok?.latencyMs ?? -1) >= 0);
  answer = 'refused';
  const lost = await probe.checkNow(1_001 * MIN);
  assert.deepEqual(lost, { at: 1_001 * MIN, latencyMs: null, ok: false });
  assert.equal(probe.last(), lost);
  assert.equal(probe.version, 2);
  db.close();
});

test('a check still waiting for its answer is not started twice', async () => {
  const db = openDb(':memory:');
  let release = () => {};
  let calls = 0;
  const probe = new ApiProbe({
    db,
    log: silentLog,
    check: () => {
      calls++;
      return new Promise<void>((r) => {
        release = r;
      });
    },
  });
  const first = probe.checkNow(0);
  assert.equal(await probe.checkNow(1), null);
  release();
  assert.equal((await first)?.ok, true);
  assert.equal(calls, 1);
  db.close();
});

test('the window puts each check in its step: mean latency of the answered, a gap where none answered', () => {
  const db = openDb(':memory:');
  const probe = new ApiProbe({ db, log: silentLog, check: async () => {}, flushEvery: 3 });
  const now = Date.UTC(2026, 11, 2, 12, 30, 20);
  const grid = chartGrid('1h', now);
  const at = (i: number) => grid.start + i * MIN + 7_000;
  probe.record({ at: at(50), latencyMs: 4, ok: true });
  probe.record({ at: at(51), latencyMs: 8, ok: true });
  probe.record({ at: at(52), latencyMs: null, ok: false }); // the third: written
  probe.record({ at: at(53), latencyMs: null, ok: false });
  probe.record({ at: at(59), latencyMs: 9, ok: true }); // still unwritten
  const w = probe.window(grid);
  assert.equal(w.latency.length, 60);
  assert.deepEqual(w.latency.slice(50), [4, 8, null, null, null, null, null, null, null, 9]);
  assert.deepEqual(w.failed.slice(50), [0, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(w.checks.slice(50), [1, 1, 1, 1, 0, 0, 0, 0, 0, 1]);
  assert.equal(
    w.checks.slice(0, 50).reduce((a, b) => a + b, 0),
    0,
    'nothing before the first check',
  );
  // A day's step holds ten minutes of checks: the answered ones' mean, every unanswered one counted.
  const day = chartGrid('24h', now);
  const d = probe.window(day);
  const i = Math.floor((at(50) - day.start) / day.stepMs);
  assert.deepEqual(d.checks.slice(i), [4, 1], '12:21–12:24 in one step, 12:30 in the next');
  assert.deepEqual(d.failed.slice(i), [2, 0]);
  assert.deepEqual(d.latency.slice(i), [6, 9], 'the mean of 4 and 8; the unanswered two do not count');
  db.close();
});

test('checks outlive the process: a new probe reads them from the store, and old ones are pruned', () => {
  const db = openDb(':memory:');
  const now = Date.UTC(2026, 11, 2, 12, 0, 0);
  const week = 7 * 86_400_000;
  const a = new ApiProbe({ db, log: silentLog, check: async () => {}, retentionMs: week });
  a.record({ at: now - week - MIN, latencyMs: 3, ok: true });
  a.record({ at: now - 2 * 3_600_000, latencyMs: null, ok: false });
  a.record({ at: now - MIN, latencyMs: 12, ok: true });
  a.stop();
  const n = (db.prepare('SELECT count(*) AS n FROM api_samples').get() as { n: number }).n;
  assert.equal(n, 3, 'the batch is written on stop');
  const b = new ApiProbe({ db, log: silentLog, check: async () => {}, retentionMs: week });
  const w = b.window(chartGrid('7d', now));
  assert.equal(
    w.checks.reduce((x, y) => x + y, 0),
    2,
    'the check older than the week is outside the window',
  );
  assert.equal(
    w.failed.reduce((x, y) => x + y, 0),
    1,
  );
  b.record({ at: now, latencyMs: 5, ok: true });
  b.flush();
  const left = db.prepare('SELECT at FROM api_samples ORDER BY at').all() as { at: number }[];
  assert.deepEqual(
    left.map((r) => r.at),
    [now - 2 * 3_600_000, now - MIN, now],
    'the first check after start prunes what is older than the retention',
  );
  db.close();
});
