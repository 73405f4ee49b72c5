// A run's changes: each object once, in the order first seen, with the last thing the run did to it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunChanges } from '../../server/sync/changes.ts';

test('an object changed by the apply and again by the rollback is listed once, with the rollback action', () => {
  const changes = new RunChanges();
  changes.add([
    { ref: 'apps/v1 Deployment shop/web', action: 'configured' },
    { ref: 'v1 ConfigMap shop/extra', action: 'created' },
  ]);
  changes.add([{ ref: 'apps/v1 Deployment shop/web', action: 'configured' }]);
  changes.add([{ ref: 'v1 ConfigMap shop/extra', action: 'deleted' }]);
  assert.deepEqual(changes.list(), [
    { ref: 'apps/v1 Deployment shop/web', action: 'configured' },
    { ref: 'v1 ConfigMap shop/extra', action: 'deleted' },
  ]);
});

test('a failed object that a later stage put back carries the later action, without the old error', () => {
  const changes = new RunChanges();
  changes.add([{ ref: 'v1 Service shop/web', action: 'failed', error: 'refused' }]);
  changes.add([{ ref: 'v1 Service shop/web', action: 'unchanged' }]);
  assert.deepEqual(changes.list(), [{ ref: 'v1 Service shop/web', action: 'unchanged' }]);
});
