// Scheduling maths: stable per-node jitter spread over the interval, capped exponential backoff, and the
// fleet-wide effect of jitter on the peak request rate an upstream sees.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backoffMs,
  cronIntervalMs,
  jitterMs,
  jitterSpanMs,
  MAX_JITTER_MS,
  scheduleProblem,
} from '../../server/sync/schedule.ts';

test('jitter is stable for a node and differs between nodes', () => {
  assert.equal(jitterMs('gateway-17', 300_000), jitterMs('gateway-17', 300_000));
  assert.notEqual(jitterMs('gateway-17', 300_000), jitterMs('gateway-18', 300_000));
});

test('jitter of many nodes spreads evenly over the whole interval', () => {
  const interval = 300_000;
  const buckets = new Array(10).fill(0);
  for (let i = 0; i < 10_000; i++) {
    const j = jitterMs(`node-${i}`, interval);
    assert.ok(j >= 0 && j < interval);
    buckets[Math.floor((j / interval) * 10)]++;
  }
  // Each tenth of the interval gets 1,000 ± 15 %.
  for (const b of buckets) assert.ok(b > 850 && b < 1150, `bucket ${b}`);
});

test('backoff doubles per failure from one interval and stops at the cap', () => {
  assert.equal(backoffMs(0, 60_000, 3_600_000), 0);
  assert.equal(backoffMs(1, 60_000, 3_600_000), 60_000);
  assert.equal(backoffMs(3, 60_000, 3_600_000), 240_000);
  assert.equal(backoffMs(50, 60_000, 3_600_000), 3_600_000);
});

test('the polling interval is read from the cron expression', () => {
  assert.equal(cronIntervalMs('*/5 * * * *'), 300_000);
  assert.equal(cronIntervalMs('0 * * * *'), 3_600_000);
});

test('a schedule backing off syncs at once when the probe sees the upstream again', async () => {
  const { startSchedule } = await import('../../server/sync/schedule.ts');
  const { SyncQueue } = await import('../../server/sync/queue.ts');
  const triggers: string[] = [];
  const queue = new SyncQueue(async (trigger) => {
    triggers.push(trigger);
    return { id: triggers.length } as never;
  });
  let up = false;
  const schedule = startSchedule(
    {
      expression: '0 0 1 1 *',
      nodeName: 'n',
      upstream: () => ({ failures: 3, unreachable: true }),
      probe: async () => up,
      probeIntervalMs: 10,
      onError: (err) => assert.fail(String(err)),
    },
    queue,
  );
  try {
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(triggers, []);
    up = true;
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(triggers.length >= 1 && triggers.every((t) => t === 'schedule'));
  } finally {
    schedule.stop();
  }
});

test('jitter spans the interval but never more than 15 minutes', () => {
  assert.equal(jitterSpanMs(cronIntervalMs('*/5 * * * *')), 300_000);
  assert.equal(jitterSpanMs(cronIntervalMs('0 * * * *')), MAX_JITTER_MS);
  // A daily schedule: the cap keeps a 03:00 sync before 03:15 instead of anywhere in the day.
  assert.equal(jitterSpanMs(cronIntervalMs('0 3 * * *')), MAX_JITTER_MS);
  for (let i = 0; i < 1000; i++) assert.ok(jitterMs(`node-${i}`, jitterSpanMs(86_400_000)) < MAX_JITTER_MS);
});

test('a schedule that never fires or fires more than once a minute has a problem; ordinary ones do not', () => {
  assert.match(scheduleProblem('0 0 31 2 *') ?? '', /never fires/);
  assert.match(scheduleProblem('* * * * * *') ?? '', /fires every 1 s/);
  assert.match(scheduleProblem('*/10 * * * * *') ?? '', /fires every 10 s/);
  assert.match(scheduleProblem('every day') ?? '', /not a valid cron expression/);
  for (const ok of ['*/5 * * * *', '0 3 * * *', '0 0 29 2 *', '0 * * * * *'])
    assert.equal(scheduleProblem(ok), null, ok);
});
