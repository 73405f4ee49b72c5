// API faults at each stage of a reconcile: each fails with its own named reason and the node keeps (or goes
// back to) its last-known-good — never a half-applied revision recorded as success.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getState } from '../../server/db/state.ts';
import type { FaultSpec } from '../../server/kubesim/index.ts';
import { type LkgPointer, reconcile } from '../../server/sync/reconciler.ts';
import { configMap, deployment, type Fleet, makeFleet, NS } from '../support/fleet.ts';

const GOOD = {
  'ns.yaml': NS,
  'a.yaml': configMap('a'),
  'old.yaml': configMap('old'),
  'web.yaml': deployment('web'),
};
let version = 0;
/** A new revision each time: `a` changes, `old` is dropped (so prune has work), `b` is added. */
const next = () => ({
  'ns.yaml': NS,
  'a.yaml': configMap('a', `next-${++version}`),
  'b.yaml': configMap('b'),
  // A new image, so the health stage has a rollout to watch (and reads ReplicaSets).
  'web.yaml': deployment('web', `registry.example.com/web:next-${version}`),
});

describe('API faults at each stage', () => {
  let f: Fleet;
  before(async () => {
    // Rollouts take 300 ms, so the health stage is still watching when its reads fail.
    f = await makeFleet(GOOD, { readyDelayMs: 300 });
  });
  after(async () => {
    await f.close();
  });

  const cases: [string, FaultSpec | FaultSpec[], string, string][] = [
    [
      'discovery during plan answers 500',
      { status: 500, method: 'GET', pathIncludes: '/api/v1', times: 50 },
      'failed',
      'ValidationFailed',
    ],
    [
      'the API drops connections during plan',
      { dropConnection: true, times: 50 },
      'failed',
      'ClusterUnreachable',
    ],
    [
      'the whole-set dry run is refused (nothing is written)',
      { status: 500, method: 'PATCH', pathIncludes: 'configmaps/a', times: 1 },
      'failed',
      'ValidationFailed',
    ],
    [
      'apply answers 500',
      { status: 500, method: 'PATCH', pathIncludes: 'configmaps/b', times: 1 },
      'rolled-back',
      'ApplyFailed',
    ],
    [
      'apply answers 409',
      { status: 409, method: 'PATCH', pathIncludes: 'configmaps/b', times: 1 },
      'rolled-back',
      'ApplyFailed',
    ],
    [
      'prune answers 500',
      { status: 500, method: 'DELETE', pathIncludes: 'configmaps/old', times: 1 },
      'rolled-back',
      'PruneFailed',
    ],
    [
      'health reads answer 500',
      { status: 500, method: 'GET', pathIncludes: 'replicasets', times: 1 },
      'rolled-back',
      'HealthFailed',
    ],
    [
      'the rollback itself is refused',
      [
        // The new object's apply fails, then re-applying the LKG's `old` is refused too.
        { status: 500, method: 'PATCH', pathIncludes: 'configmaps/b', times: 1 },
        { status: 500, method: 'PATCH', pathIncludes: 'configmaps/old', times: 5 },
      ],
      'failed',
      'RollbackFailed',
    ],
  ];

  for (const [what, fault, result, reason] of cases) {
    test(`a reconcile where ${what} ends ${result} with ${reason}`, async () => {
      f.sim.faults.clear();
      f.write(GOOD);
      const reset = await reconcile(f.deps, 'button', 'test', { retry: true });
      assert.equal(reset.result, 'succeeded', `reset: ${reset.message}`);
      const lkg = getState<LkgPointer>(f.db, 'lkg_revision');
      f.write(next());
      f.cluster.invalidateDiscovery();
      for (const one of Array.isArray(fault) ? fault : [fault]) f.sim.faults.inject(one);
      const run = await reconcile(f.deps, 'schedule');
      f.sim.faults.clear();
      assert.equal(run.reason, reason, run.message ?? '');
      assert.equal(run.result, result, run.message ?? '');
      assert.deepEqual(getState<LkgPointer>(f.db, 'lkg_revision'), lkg, 'the LKG pointer did not move');
      if (result === 'rolled-back') {
        // Back on the LKG: the dropped object is there again, the added one is gone.
        assert.ok(
          await f.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'old' }),
        );
        assert.equal(
          await f.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'b' }),
          null,
        );
      }
    });
  }
});
