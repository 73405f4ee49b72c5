// The sync queue: single flight, and triggers during a run coalesce into one follow-up run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SyncQueue } from '../../server/sync/queue.ts';
import type { RunRecord, Trigger } from '../../server/sync/run.ts';

function fakeRuns() {
  let active = 0;
  let maxActive = 0;
  const calls: Trigger[] = [];
  const run = async (trigger: Trigger): Promise<RunRecord> => {
    calls.push(trigger);
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise((r) => setTimeout(r, 20));
    active--;
    return { id: calls.length, trigger } as RunRecord;
  };
  return { run, calls, max: () => maxActive };
}

test('queue never runs two reconciles at once and coalesces triggers during a run', async () => {
  const f = fakeRuns();
  const q = new SyncQueue(f.run);
  const first = q.trigger('startup');
  const second = q.trigger('sync-now');
  const third = q.trigger('schedule');
  assert.equal(second, third);
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a.id, 1);
  assert.equal(b.id, 2);
  assert.deepEqual(f.calls, ['startup', 'sync-now']);
  assert.equal(f.max(), 1);
  assert.equal(q.running, false);
});

test('queue runs the follow-up even when the current run throws', async () => {
  let n = 0;
  const q = new SyncQueue(async () => {
    n++;
    if (n === 1) throw new Error('boom');
    return { id: n } as RunRecord;
  });
  const first = q.trigger('startup');
  const second = q.trigger('sync-now');
  await assert.rejects(first, /boom/);
  assert.equal((await second).id, 2);
  await q.idle();
});
