// The cluster client's retry rule: which answers are asked again, how long it waits, when it gives up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY, isTransient, retryAfterMs, retryDelay } from '../../server/cluster/retry.ts';

test('transient statuses are no answer, 429 and server errors; the object’s own refusals are not', () => {
  for (const s of [0, 429, 500, 502, 503, 504]) assert.ok(isTransient(s), String(s));
  for (const s of [200, 201, 400, 403, 404, 409, 410, 422]) assert.ok(!isTransient(s), String(s));
});

test('retryDelay honours Retry-After and gives up when it asks for more than the longest wait', () => {
  assert.equal(retryDelay(DEFAULT_RETRY, 1, 0, 1000), 1000);
  assert.equal(retryDelay(DEFAULT_RETRY, 1, 0, DEFAULT_RETRY.maxDelayMs + 1), null);
  assert.equal(retryAfterMs('2'), 2000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 7_000), 3000);
  assert.equal(retryAfterMs('soon'), null);
});

test('retryDelay backs off with jitter under a doubling bound and stops at the attempt and time budget', () => {
  const top = () => 0.999_999;
  assert.ok((retryDelay(DEFAULT_RETRY, 1, 0, null, top) ?? -1) < DEFAULT_RETRY.baseDelayMs);
  assert.ok((retryDelay(DEFAULT_RETRY, 3, 0, null, top) ?? -1) < DEFAULT_RETRY.baseDelayMs * 4);
  assert.ok((retryDelay(DEFAULT_RETRY, 3, 0, null, top) ?? -1) >= DEFAULT_RETRY.baseDelayMs * 2);
  assert.equal(retryDelay(DEFAULT_RETRY, DEFAULT_RETRY.attempts, 0, null), null);
  assert.equal(retryDelay(DEFAULT_RETRY, 1, DEFAULT_RETRY.budgetMs, 1), null);
});
