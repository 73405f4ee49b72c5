// API faults at each stage of a reconcile: each fails with its own named reason and the node keeps (or goes
// back to) its last-known-good — never a half-applied revision recorded as success.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FaultSpec } from '../../server/kubesim/index.ts';
import { heldRevision, releaseHeld } from '../../server/sync/holds.ts';
import { reconcile } from '../../server/sync/reconciler.ts';
import { lkgRevision } from '../../server/sync/state-keys.ts';
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

  /** what, fault, result, reason, and for a rollback whether the revision is held (only for its own fault). */
  const cases: [string, FaultSpec | FaultSpec[], string, string, boolean?][] = [
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
      // Persistent: a single 5xx is retried by the client (see the transient cases below).
      { status: 500, method: 'PATCH', pathIncludes: 'configmaps/a', times: 50 },
      'failed',
      'ValidationFailed',
    ],
    [
      'apply answers 500 on every retry',
      { status: 500, method: 'PATCH', pathIncludes: 'configmaps/b', times: 50 },
      'rolled-back',
      'ApplyFailed',
      false,
    ],
    [
      'apply answers 409',
      { status: 409, method: 'PATCH', pathIncludes: 'configmaps/b', times: 1 },
      'rolled-back',
      'ApplyFailed',
      true,
    ],
    [
      'prune answers 500 on every retry',
      { status: 500, method: 'DELETE', pathIncludes: 'configmaps/old', times: 50 },
      'rolled-back',
      'PruneFailed',
      false,
    ],
    [
      'health reads answer 500 on every retry',
      { status: 500, method: 'GET', pathIncludes: 'replicasets', times: 50 },
      'rolled-back',
      'HealthFailed',
      false,
    ],
    [
      'the rollback itself is refused',
      [
        // The new object's apply fails, then re-applying the LKG's `old` is refused too, on every retry.
        { status: 500, method: 'PATCH', pathIncludes: 'configmaps/b', times: 50 },
        { status: 500, method: 'PATCH', pathIncludes: 'configmaps/old', times: 50 },
      ],
      'failed',
      'RollbackFailed',
    ],
  ];

  for (const [what, fault, result, reason, held] of cases) {
    test(`a reconcile where ${what} ends ${result} with ${reason}`, async () => {
      f.sim.faults.clear();
      f.write(GOOD);
      const reset = await reconcile(f.deps, 'retry', 'test', { retry: true });
      assert.equal(reset.result, 'succeeded', `reset: ${reset.message}`);
      const lkg = lkgRevision.get(f.db);
      f.write(next());
      f.cluster.invalidateDiscovery();
      for (const one of Array.isArray(fault) ? fault : [fault]) f.sim.faults.inject(one);
      const run = await reconcile(f.deps, 'schedule');
      f.sim.faults.clear();
      assert.equal(run.reason, reason, run.message ?? '');
      assert.equal(run.result, result, run.message ?? '');
      assert.deepEqual(lkgRevision.get(f.db), lkg, 'the LKG pointer did not move');
      if (result === 'rolled-back') {
        assert.equal(heldRevision(f.db) !== null, held, held ? 'held: the revision’s own fault' : 'not held');
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

describe('transient API faults are retried, and only the revision’s own failures hold it', () => {
  let f: Fleet;
  before(async () => {
    f = await makeFleet(GOOD, { readyDelayMs: 300 });
  });
  after(async () => {
    await f.close();
  });

  /** Back on GOOD as the LKG, then a new revision is written and the faults armed for the next run. */
  async function nextRunWith(faults: FaultSpec[]) {
    f.sim.faults.clear();
    f.write(GOOD);
    const reset = await reconcile(f.deps, 'retry', 'test', { retry: true });
    assert.equal(reset.result, 'succeeded', `reset: ${reset.message}`);
    releaseHeld(f.db);
    f.write(next());
    f.cluster.invalidateDiscovery();
    for (const one of faults) f.sim.faults.inject(one);
    const run = await reconcile(f.deps, 'schedule');
    f.sim.faults.clear();
    return run;
  }

  const transient: [string, FaultSpec][] = [
    ['one apply answers 503', { status: 503, method: 'PATCH', pathIncludes: 'configmaps/b', times: 1 }],
    ['one apply answers 429', { status: 429, method: 'PATCH', pathIncludes: 'configmaps/b', times: 1 }],
    ['one prune answers 503', { status: 503, method: 'DELETE', pathIncludes: 'configmaps/old', times: 1 }],
    ['one health read answers 503', { status: 503, method: 'GET', pathIncludes: 'replicasets', times: 1 }],
    ['one health read answers 429', { status: 429, method: 'GET', pathIncludes: 'replicasets', times: 1 }],
    ['one dry run answers 503', { status: 503, method: 'PATCH', pathIncludes: 'dryRun', times: 1 }],
  ];
  for (const [what, fault] of transient) {
    test(`a reconcile succeeds when ${what}`, async () => {
      const run = await nextRunWith([fault]);
      assert.equal(run.result, 'succeeded', `${run.reason}: ${run.message}`);
      assert.equal(heldRevision(f.db), null);
      assert.equal(lkgRevision.get(f.db)?.revisionId, run.revisionId);
    });
  }

  test('a rollback completes when one of its applies answers 503', async () => {
    const run = await nextRunWith([
      // The object itself is refused (the revision's fault), then the rollback meets one transient 503.
      { status: 409, method: 'PATCH', pathIncludes: 'configmaps/b', times: 1 },
      { status: 503, method: 'PATCH', pathIncludes: 'configmaps/old', times: 1 },
    ]);
    assert.equal(run.result, 'rolled-back', `${run.reason}: ${run.message}`);
    assert.equal(run.reason, 'ApplyFailed');
    assert.ok(await f.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'old' }));
    assert.equal(heldRevision(f.db)?.revisionId, run.revisionId, 'a refused object holds the revision');
  });

  test('a revision is rolled back but not held when the API answers 503 on every retry, and the next run applies it', async () => {
    const run = await nextRunWith([
      { status: 503, method: 'PATCH', pathIncludes: 'configmaps/b', times: 50 },
    ]);
    assert.equal(run.result, 'rolled-back', `${run.reason}: ${run.message}`);
    assert.equal(heldRevision(f.db), null, 'a cluster failure does not hold the revision');
    assert.match(run.message ?? '', /not held/);
    const again = await reconcile(f.deps, 'schedule');
    assert.equal(again.result, 'succeeded', `${again.reason}: ${again.message}`);
    assert.equal(again.revisionId, run.revisionId);
  });

  test('an API server that cannot be reached during the dry run fails ClusterUnreachable, holds nothing, and the next run applies', async () => {
    const run = await nextRunWith([
      { dropConnection: true, method: 'PATCH', pathIncludes: 'dryRun', times: 100 },
    ]);
    assert.equal(run.result, 'failed');
    assert.equal(run.reason, 'ClusterUnreachable', run.message ?? '');
    assert.equal(heldRevision(f.db), null);
    const again = await reconcile(f.deps, 'schedule');
    assert.equal(again.result, 'succeeded', `${again.reason}: ${again.message}`);
  });
});
