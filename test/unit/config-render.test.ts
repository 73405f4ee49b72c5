// OUTPOST_RENDER_TIMEOUT: the render worker's deadline, in the server's config and for `outpost render` alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig, loadRenderLimits } from '../../server/config.ts';
import { ConfigError } from '../../server/config-error.ts';

test('the render deadline defaults to 60s and takes the duration syntax of other settings', () => {
  assert.deepEqual(loadConfig({}).render, { timeoutMs: 60_000 });
  assert.deepEqual(loadConfig({ OUTPOST_RENDER_TIMEOUT: '2m' }).render, { timeoutMs: 120_000 });
  assert.deepEqual(loadRenderLimits({}), { timeoutMs: 60_000 });
  assert.deepEqual(loadRenderLimits({ OUTPOST_RENDER_TIMEOUT: '1500ms' }), { timeoutMs: 1_500 });
});

test('a render deadline that is not a duration is a config error naming the variable', () => {
  for (const load of [loadConfig, loadRenderLimits]) {
    assert.throws(
      () => load({ OUTPOST_RENDER_TIMEOUT: 'soon' }),
      (err: unknown) =>
        err instanceof ConfigError && err.problems.some((p) => p.startsWith('OUTPOST_RENDER_TIMEOUT:')),
    );
  }
});
