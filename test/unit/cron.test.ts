// Cron expressions: parsing, matching and the next run, with node-cron (what Outpost used before) as the oracle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import nodeCron from 'node-cron';
import { Cron, scheduleCron, validCron } from '../../server/sync/cron.ts';

const EXPRESSIONS = [
  '* * * * *',
  '*/5 * * * *',
  '0 * * * *',
  '30 2 * * *',
  '0 22-23,0-5 * * *',
  '15,45 */2 * * 1-5',
  '0 3 1 * *',
  '0 12 * jan,jul mon',
  '0 9-17/4 * * MON-FRI',
  '0 0 * * 0',
  '0 0 * * 7',
  '*/30 * * * * *',
  '0 */10 8-18 * * sat,sunday',
];
const INVALID = [
  '',
  'every minute',
  '* * * *',
  '* * * * * * *',
  '60 * * * *',
  '* 24 * * *',
  '* * 0 * *',
  '* * * 13 *',
  '* * * * 8',
  '*/0 * * * *',
  '5-2 * * * *',
  'a * * * *',
  '* * * * funday',
  '1,,2 * * * *',
];

test('valid expressions are the ones node-cron took; broken ones are refused', () => {
  for (const e of EXPRESSIONS) {
    assert.equal(validCron(e), true, e);
    assert.equal(nodeCron.validate(e), true, `oracle: ${e}`);
  }
  // Stricter than node-cron in one place: a backwards range (5-2) is refused rather than read some way.
  for (const e of INVALID) assert.equal(validCron(e), false, e);
});

test('matching agrees with node-cron over two months of local time', () => {
  const start = new Date(2026, 0, 30, 0, 0, 0).getTime();
  for (const e of EXPRESSIONS) {
    const ours = Cron.parse(e) as Cron;
    const theirs = nodeCron.createTask(e, () => undefined);
    // node-cron matched 5 fields only at second 0; a window names whole minutes, so compare at whole minutes.
    const step = ours.hasSeconds ? 7 * 60_000 + 13_000 : 7 * 60_000;
    for (let t = start; t < start + 60 * 86_400_000; t += step) {
      const d = new Date(t);
      assert.equal(ours.matches(d), theirs.match(d), `${e} at ${d.toString()}`);
    }
    void theirs.destroy();
  }
});

test('the next run is the first later time the expression names, as node-cron finds it', () => {
  for (const e of EXPRESSIONS) {
    const ours = Cron.parse(e) as Cron;
    const theirs = nodeCron.createTask(e, () => undefined);
    for (const from of [new Date(2026, 1, 27, 23, 59, 30), new Date(2026, 10, 24, 11, 7, 0)]) {
      const expected = nodeCronNext(theirs, from, ours.hasSeconds);
      const got = ours.next(from)?.getTime() ?? null;
      if (expected !== null) assert.equal(got, expected, `${e} after ${from}`);
      else assert.ok(got === null || got > from.getTime() + 40 * 86_400_000, `${e} after ${from}`);
    }
    void theirs.destroy();
  }
  assert.equal(Cron.parse('0 0 30 2 *')?.next(new Date()), null, 'February 30th never comes');
  assert.equal(
    Cron.parse('0 0 29 2 *')
      ?.next(new Date(2026, 2, 1))
      ?.getTime(),
    new Date(2028, 1, 29).getTime(),
  );
  assert.equal(
    Cron.parse('0 0 1 jan *')
      ?.next(new Date(2026, 0, 1))
      ?.getTime(),
    new Date(2027, 0, 1).getTime(),
  );
  assert.equal(
    Cron.parse('5/20 * * * *')
      ?.next(new Date(2026, 0, 1, 0, 6))
      ?.getTime(),
    new Date(2026, 0, 1, 0, 25).getTime(),
  );
  assert.ok(
    Cron.parse('* * * * *')?.matches(new Date(2026, 0, 1, 0, 6, 42)),
    'a 5-field expression names whole minutes',
  );
});

/** node-cron's next run after a time, within 40 days: its own matcher walked (getNextRun counts from now). */
function nodeCronNext(
  task: ReturnType<typeof nodeCron.createTask>,
  from: Date,
  seconds: boolean,
): number | null {
  const step = seconds ? 1000 : 60_000;
  for (
    let t = Math.floor(from.getTime() / step) * step + step;
    t < from.getTime() + 40 * 86_400_000;
    t += step
  ) {
    if (task.match(new Date(t))) return t;
  }
  return null;
}

test('a schedule fires at each named time and stops when told', async () => {
  const cron = Cron.parse('* * * * * *') as Cron;
  let fired = 0;
  const s = scheduleCron(cron, () => {
    fired++;
  });
  assert.ok((s.next()?.getTime() ?? 0) > Date.now() - 5);
  await new Promise((r) => setTimeout(r, 2_300));
  s.stop();
  const seen = fired;
  assert.ok(seen >= 2 && seen <= 3, `fired ${seen} times in 2.3 s`);
  await new Promise((r) => setTimeout(r, 1_200));
  assert.equal(fired, seen, 'nothing after stop');
  assert.equal(s.next(), null);
});
