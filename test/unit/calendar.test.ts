// Dates that exist: no 30 February, no month 13, no 24:00; leap years by the Gregorian rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dateExists } from '../../server/calendar.ts';
import { expiresAt } from '../../server/cli/bundle.ts';

test('dateExists accepts real dates with or without a time, and what follows the time is left to the caller', () => {
  for (const ok of [
    '2030-02-28',
    '2028-02-29T10:00',
    '2000-02-29T23:59:59',
    '2030-12-31t00:00:00.123+03:00',
    '2030-04-30 08:15',
  ]) {
    assert.equal(dateExists(ok), true, ok);
  }
});

test('dateExists refuses days, months and times that do not exist', () => {
  for (const bad of [
    '2030-02-30',
    '2030-02-29T10:00',
    '1900-02-29',
    '2030-04-31T10:00',
    '2030-13-01',
    '2030-00-10',
    '2030-01-00',
    '2030-01-01T24:00',
    '2030-01-01T10:60',
    '2030-01-01T10:00:60Z',
    'tomorrow',
    '',
  ]) {
    assert.equal(dateExists(bad), false, bad);
  }
});

test('bundle sign --expires refuses a date that does not exist instead of rolling it into March', () => {
  assert.throws(() => expiresAt('2030-02-30T00:00:00Z'), /is neither an RFC 3339 time/);
  assert.equal(expiresAt('2030-02-28T00:00:00Z'), '2030-02-28T00:00:00Z');
});
