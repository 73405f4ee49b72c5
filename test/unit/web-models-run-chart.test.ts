// The sync duration chart's model: the longest run per step, failed and rolled-back runs marked, drawn from the
// first run in the range, min/max over every run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Db, openDb } from '../../server/db/open.ts';
import { finishRun, startRun } from '../../server/db/runs.ts';
import { createHistory } from '../../server/sync/history.ts';
import type { RunOutcome, Trigger } from '../../server/sync/run.ts';
import type { WebDeps } from '../../server/web/deps.ts';
import { MIN_STEPS, runChartModel } from '../../server/web/models/run-chart.ts';

const MIN = 60_000;
const NOW = Date.UTC(2026, 11, 2, 12, 0, 30);

const deps = (db: Db) => ({ sync: { history: createHistory(db) } }) as unknown as WebDeps;

/** A run started `agoMs` before NOW that took `tookMs`. */
function run(
  db: Db,
  agoMs: number,
  tookMs: number,
  result: RunOutcome['result'] = 'succeeded',
  trigger: Trigger = 'sync-now',
): void {
  const at = NOW - agoMs;
  const id = startRun(db, trigger, null, new Date(at));
  const changes: RunOutcome['changes'] =
    trigger === 'schedule' ? [] : [{ ref: 'v1 ConfigMap shop/settings', action: 'configured' }];
  const outcome: RunOutcome =
    result === 'succeeded' ? { result, changes } : { result, reason: 'HealthFailed', message: 'x', changes };
  finishRun(db, id, outcome, new Date(at + tookMs));
}

test('an hour: a column per minute with a run, its longest; failed and rolled-back runs counted apart', () => {
  const db = openDb(':memory:');
  run(db, 2 * 3_600_000, 9_000); // outside the hour
  run(db, 50 * MIN, 1_200);
  run(db, 30 * MIN, 3_000, 'failed');
  run(db, 30 * MIN - 20_000, 500); // the same minute
  run(db, 5 * MIN, 800, 'rolled-back');
  startRun(db, 'sync-now', null, new Date(NOW - MIN)); // still running: no duration yet
  const m = runChartModel(deps(db), '1h', NOW);
  assert.equal(m.range, '1h');
  const minuteOf = (ago: number) => Math.floor((NOW - ago) / MIN) * MIN;
  assert.equal(m.chart.from, minuteOf(50 * MIN), 'drawn from the first run in the range');
  assert.equal(m.chart.width, 51, 'one step per minute from 11:10 to 12:00');
  assert.deepEqual(
    m.chart.columns.map((c) => [c.at, c.value, c.count, c.failed]),
    [
      [minuteOf(50 * MIN), 1_200, 1, 0],
      [minuteOf(30 * MIN), 3_000, 2, 1],
      [minuteOf(5 * MIN), 800, 1, 1],
    ],
  );
  assert.equal(m.runs, 4);
  assert.equal(m.failed, 2);
  assert.equal(m.shortestMs, 500, 'the shortest run, though its minute shows a longer one');
  assert.equal(m.longestMs, 3_000);
  db.close();
});

test('a day and a week hold the older run too, in their own steps, at least MIN_STEPS wide', () => {
  const db = openDb(':memory:');
  run(db, 2 * 3_600_000, 9_000);
  run(db, 30 * MIN, 3_000, 'failed');
  const day = runChartModel(deps(db), '24h', NOW);
  assert.equal(day.runs, 2);
  assert.equal(day.longestMs, 9_000);
  assert.deepEqual(
    day.chart.columns.map((c) => (c.at - (day.chart.from ?? 0)) / (10 * MIN)),
    [0, 9],
    'ten-minute steps, from the first run',
  );
  const week = runChartModel(deps(db), '7d', NOW);
  assert.deepEqual(
    week.chart.columns.map((c) => [c.value, c.failed]),
    [
      [9_000, 0],
      [3_000, 1],
    ],
  );
  assert.equal(week.chart.width, MIN_STEPS, 'three hours of runs still span the fewest steps a chart has');
  assert.equal(week.chart.columns.at(-1)?.x, MIN_STEPS - 2, 'the 11:30 run in the hour before this one');
  assert.equal(week.chart.columns[0]?.x, MIN_STEPS - 3, 'the 10:00 run an hour before that');
  db.close();
});

test('unchanged scheduled runs folded into one record are one column; nothing in range is no chart', () => {
  const db = openDb(':memory:');
  assert.equal(runChartModel(deps(db), '24h', NOW).chart.from, null);
  assert.equal(runChartModel(deps(db), '24h', NOW).runs, 0);
  run(db, 20 * MIN, 700, 'succeeded', 'schedule');
  run(db, 15 * MIN, 600, 'succeeded', 'schedule');
  run(db, 10 * MIN, 650, 'succeeded', 'schedule');
  const m = runChartModel(deps(db), '1h', NOW);
  assert.equal(m.runs, 1, 'the store keeps one record of the three');
  assert.deepEqual(
    m.chart.columns.map((c) => [NOW - c.at <= 10 * MIN + 30_000, c.value]),
    [[true, 650]],
    'at the last run, with its duration',
  );
  db.close();
});
