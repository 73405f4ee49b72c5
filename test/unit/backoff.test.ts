// Reconnect and retry backoff: doubling steps, a cap, and jitter so nodes never retry in step.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelay } from '../../server/backoff.ts';

describe('reconnect backoff', () => {
  const opts = { baseMs: 1000, capMs: 60_000 };

  test('backoffDelay doubles per attempt and stays between half and all of the step', () => {
    assert.equal(
      backoffDelay(0, opts, () => 0),
      500,
    );
    assert.equal(
      backoffDelay(0, opts, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(3, opts, () => 0),
      4000,
    );
    assert.equal(
      backoffDelay(3, opts, () => 1),
      8000,
    );
  });

  test('backoffDelay never exceeds the cap however many attempts failed', () => {
    for (const attempt of [6, 10, 100, 10_000]) {
      assert.ok(backoffDelay(attempt, opts, () => 1) <= 60_000);
      assert.ok(backoffDelay(attempt, opts, () => 0) >= 30_000);
    }
  });

  test('backoffDelay spreads retries when jitter differs', () => {
    const seen = new Set(Array.from({ length: 20 }, () => backoffDelay(4, opts)));
    assert.ok(seen.size > 5, `expected spread, got ${[...seen].join(', ')}`);
  });
});
