// Cron expressions through node-cron: which parse, what they match (whole minutes for 5 fields), the next runs,
// the site's time zone, and a schedule that fires and stops.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cron, cronProblem, scheduleCron, validCron } from '../../server/sync/cron.ts';
import { inMaintenanceWindow } from '../../server/sync/holds.ts';
import { scheduleProblem } from '../../server/sync/schedule.ts';

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
  'a * * * *',
  '* * * * funday',
  '1,,2 * * * *',
];

test('valid expressions parse; broken ones and dates that never come are refused, saying why', () => {
  for (const e of EXPRESSIONS) assert.equal(validCron(e), true, e);
  for (const e of INVALID) assert.equal(validCron(e), false, e);
  assert.equal(validCron('0 0 31 2 *'), false);
  assert.match(cronProblem('0 0 31 2 *') ?? '', /impossible day of month/);
  assert.match(scheduleProblem('0 0 31 2 *') ?? '', /never fires/);
  assert.equal(cronProblem('*/5 * * * *'), null);
});

test('a 5-field expression names whole minutes; a 6-field one names seconds', () => {
  const minute = Cron.parse('*/5 * * * *') as Cron;
  assert.equal(minute.matches(new Date(2026, 0, 1, 0, 5, 42)), true, 'any second of a named minute');
  assert.equal(minute.matches(new Date(2026, 0, 1, 0, 6, 0)), false);
  const seconds = Cron.parse('*/30 * * * * *') as Cron;
  assert.equal(seconds.hasSeconds, true);
  assert.equal(seconds.matches(new Date(2026, 0, 1, 0, 6, 30)), true);
  assert.equal(seconds.matches(new Date(2026, 0, 1, 0, 6, 31)), false);
});

test("the next runs follow one another at the expression's interval, a rare date included", () => {
  const [a, b] = (Cron.parse('*/5 * * * *') as Cron).nextRuns(2);
  assert.ok(a && b && a.getTime() > Date.now() - 1000);
  assert.equal((b as Date).getTime() - (a as Date).getTime(), 300_000);
  const [leap] = (Cron.parse('0 0 29 2 *') as Cron).nextRuns(1);
  assert.equal(leap?.getMonth(), 1);
  assert.equal(leap?.getDate(), 29);
});

test('a window "0 2 * * *" means 2 am at the site: the time zone decides which instant matches', () => {
  const berlin = Cron.parse('0 2 * * *', 'Europe/Berlin') as Cron;
  const shanghai = Cron.parse('0 2 * * *', 'Asia/Shanghai') as Cron;
  // 01:00 UTC is 02:00 in Berlin (winter) and 09:00 in Shanghai.
  assert.equal(berlin.matches(new Date('2026-12-03T01:00:00Z')), true);
  assert.equal(shanghai.matches(new Date('2026-12-03T01:00:00Z')), false);
  assert.equal(shanghai.matches(new Date('2026-12-02T18:00:00Z')), true);
  // Summer time in Berlin: 2 am is 00:00 UTC.
  assert.equal(berlin.matches(new Date('2026-07-01T00:00:30Z')), true);
  const next = shanghai.nextRuns(1)[0] as Date;
  assert.equal(next.getUTCHours(), 18);
  assert.notEqual(Cron.parse('0 2 * * *', 'Europe/Berlin'), shanghai, 'an expression is kept per time zone');
  assert.equal(Cron.parse('0 2 * * *', 'Europe/Berlin'), berlin, 'and parsed once');
});

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

test('a maintenance window is open in the site time zone, not the node clock', () => {
  // 01:30 UTC on a winter night: 02:30 in Berlin (window open), 09:30 in Shanghai (closed).
  const at = new Date('2026-12-03T01:30:00Z');
  assert.equal(inMaintenanceWindow(['* 2 * * *'], at, 'Europe/Berlin'), true);
  assert.equal(inMaintenanceWindow(['* 2 * * *'], at, 'Asia/Shanghai'), false);
  assert.equal(inMaintenanceWindow([], at, 'Asia/Shanghai'), true, 'no window: any time');
});
