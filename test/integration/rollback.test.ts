// Health-gated commit: a bad rollout rolls back to the LKG by itself, is held, and never flaps back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { heldRevision } from '../../server/sync/holds.ts';
import { reconcile } from '../../server/sync/reconciler.ts';
import { lkgRevision } from '../../server/sync/state-keys.ts';
import { readStatus } from '../../server/sync/status.ts';
import { configMap, deployment, type Fleet, makeFleet, NS } from '../support/fleet.ts';

const WEB = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };

async function imageOf(f: Fleet): Promise<string | undefined> {
  const d = await f.cluster.get(WEB);
  return (d?.spec as { template: { spec: { containers: { image: string }[] } } } | undefined)?.template.spec
    .containers[0]?.image;
}

describe('rollback', () => {
  let f: Fleet;
  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'web.yaml': deployment('web', 'shop/web:1.0') });
  });
  after(async () => {
    await f.close();
  });

  /** Starting points of the tests' own, so any one runs alone: `image` applied and healthy (the LKG)… */
  async function healthyApplied(image = 'shop/web:1.0') {
    f.write({ 'ns.yaml': NS, 'web.yaml': deployment('web', image) });
    const run = await reconcile(f.deps, 'sync-now');
    assert.equal(run.result, 'succeeded', run.message ?? '');
  }
  /** …or, on top of that, a broken revision rolled back from and held. */
  async function heldBroken() {
    await healthyApplied();
    f.write({
      'ns.yaml': NS,
      'web.yaml': deployment('web', 'shop/web:broken-2'),
      'extra.yaml': configMap('extra'),
    });
    assert.equal((await reconcile(f.deps, 'schedule')).result, 'rolled-back');
  }

  test('a healthy revision becomes last-known-good only after its workloads are ready', async () => {
    const run = await reconcile(f.deps, 'startup');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    const d = await f.cluster.get(WEB);
    assert.equal((d?.status as { availableReplicas?: number } | undefined)?.availableReplicas, 1);
  });

  test('a revision whose image cannot be pulled is rolled back to the LKG, its additions pruned, and held', async () => {
    await healthyApplied();
    const lkg = lkgRevision.get(f.db);
    f.write({
      'ns.yaml': NS,
      'web.yaml': deployment('web', 'shop/web:broken-2'),
      'extra.yaml': configMap('extra'),
    });
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'rolled-back', run.message ?? '');
    assert.equal(run.reason, 'HealthFailed');
    assert.match(
      run.message ?? '',
      /^rolled back from [0-9a-f]{12} to [0-9a-f]{12} because HealthFailed: apps\/v1 Deployment shop\/web: pod web-[a-z0-9-]+: container main: (ErrImagePull|ImagePullBackOff)/,
    );
    // That the wait fails at the pull error instead of waiting out the health timeout is unit/apply-wait.test.ts's.
    assert.equal(await imageOf(f), 'shop/web:1.0');
    assert.equal(
      await f.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'extra' }),
      null,
    );
    assert.deepEqual(lkgRevision.get(f.db), lkg);
    const status = readStatus(f.db);
    assert.equal(status.attempted?.result, 'rolled-back');
    assert.equal(status.applied?.digest, lkg?.digest);
    assert.match(heldRevision(f.db)?.message ?? '', /^rolled back from/);
    // Each object once, with what the run did last: the Deployment put back, the ConfigMap it added removed.
    const refs = run.changes.map((c) => c.ref);
    assert.equal(new Set(refs).size, refs.length, refs.join(', '));
    const action = (part: string) => run.changes.find((c) => c.ref.includes(part))?.action;
    assert.equal(action('Deployment shop/web'), 'configured');
    assert.equal(action('ConfigMap shop/extra'), 'deleted');
  });

  test('a scheduled run does not re-apply the held revision and writes nothing', async () => {
    await heldBroken();
    f.sim.stats.reset();
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded');
    assert.match(run.message ?? '', /is held: rolled back from/);
    assert.equal(await imageOf(f), 'shop/web:1.0');
    assert.equal(f.sim.stats.writes, 0);
  });

  test('staff retry applies the held revision again (and it rolls back again)', async () => {
    await heldBroken();
    const run = await reconcile(f.deps, 'retry', 'tech', { retry: true });
    assert.equal(run.result, 'rolled-back');
    assert.equal(await imageOf(f), 'shop/web:1.0');
  });

  test('a new revision from upstream releases the hold and is applied', async () => {
    await heldBroken();
    f.write({ 'ns.yaml': NS, 'web.yaml': deployment('web', 'shop/web:1.1') });
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.equal(await imageOf(f), 'shop/web:1.1');
    assert.equal(heldRevision(f.db), null);
  });

  test('manual rollback to a stored revision applies it and holds nothing back from upstream', async () => {
    await healthyApplied('shop/web:1.0');
    await healthyApplied('shop/web:1.1');
    const first = readStatus(f.db);
    const runs = (await import('../../server/db/revisions.ts')).listRevisions(f.db);
    const oldest = runs[runs.length - 1];
    assert.ok(oldest);
    const run = await reconcile(f.deps, 'rollback', 'tech', { target: oldest.id });
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.equal(await imageOf(f), 'shop/web:1.0');
    assert.notEqual(readStatus(f.db).applied?.digest, first.applied?.digest);
  });

  test('a revision that never gets healthy times out and rolls back', async () => {
    // A simulator whose workloads take a minute to become ready, and a health timeout of 300 ms.
    const slow = await makeFleet(
      { 'ns.yaml': NS, 'cm.yaml': configMap('settings') },
      { readyDelayMs: 60_000 },
    );
    try {
      const deps = { ...slow.deps, policy: { ...slow.deps.policy, healthTimeoutMs: 300 } };
      assert.equal((await reconcile(deps, 'startup')).result, 'succeeded');
      slow.write({ 'ns.yaml': NS, 'cm.yaml': configMap('settings'), 'web.yaml': deployment('web') });
      const run = await reconcile(deps, 'schedule');
      assert.equal(run.result, 'rolled-back', run.message ?? '');
      assert.match(run.message ?? '', /HealthFailed: not healthy after 0s: apps\/v1 Deployment shop\/web: /);
      assert.equal(await slow.cluster.get(WEB), null);
    } finally {
      await slow.close();
    }
  });
});
