// The orphan sweep: labelled objects the running revision does not hold are pruned after a commit (at most every
// sweepIntervalMs), reported when marked prune: disabled, and left alone when removing them would be a mass prune.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../server/cluster/types.ts';
import { reconcile } from '../../server/sync/reconciler.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';

const managed = (name: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    namespace: 'shop',
    labels: { 'app.kubernetes.io/managed-by': 'outpost' },
    annotations,
  },
  data: { x: '1' },
});

describe('orphan sweep', () => {
  let f: Fleet;
  const exists = async (name: string) =>
    (await f.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name })) !== null;
  const due = () => ({ ...f.deps, policy: { ...f.deps.policy, sweepIntervalMs: 0 } });
  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'a.yaml': configMap('a'), 'b.yaml': configMap('b') });
    assert.equal((await reconcile(f.deps, 'startup')).result, 'succeeded');
  });
  after(async () => {
    await f.close();
  });

  test('a labelled object outside the running revision is pruned; one marked prune: disabled is reported', async () => {
    await f.cluster.apply(managed('lost-1'), { fieldManager: 'outpost' });
    await f.cluster.apply(managed('lost-kept', { 'outpost.io/prune': 'disabled' }), {
      fieldManager: 'outpost',
    });
    await f.cluster.apply(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hand-made', namespace: 'shop' }, data: {} },
      { fieldManager: 'kubectl' },
    );
    const run = await reconcile(due(), 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.ok(run.changes.some((c) => c.ref === 'v1 ConfigMap shop/lost-1' && c.action === 'deleted'));
    const kept = run.changes.find((c) => c.ref === 'v1 ConfigMap shop/lost-kept');
    assert.equal(kept?.action, 'skipped');
    assert.match(kept?.error ?? '', /orphan: not in the running revision; kept because .*prune: disabled/);
    assert.equal(await exists('lost-1'), false);
    assert.equal(await exists('lost-kept'), true);
    assert.equal(await exists('hand-made'), true, 'objects without our label are never swept');
    assert.equal(await exists('a'), true);
  });

  test('the sweep runs at most once per interval', async () => {
    await f.cluster.apply(managed('lost-2'), { fieldManager: 'outpost' });
    assert.equal((await reconcile(f.deps, 'schedule')).result, 'succeeded');
    assert.equal(await exists('lost-2'), true, 'not due: the last sweep was moments ago');
    assert.equal((await reconcile(due(), 'schedule')).result, 'succeeded');
    assert.equal(await exists('lost-2'), false);
  });

  test('a sweep that would remove most labelled objects removes none, says why, and the run still succeeds', async () => {
    for (let i = 1; i <= 5; i++) await f.cluster.apply(managed(`stray-${i}`), { fieldManager: 'outpost' });
    const run = await reconcile(due(), 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    const strays = run.changes.filter((c) => c.ref.startsWith('v1 ConfigMap shop/stray-'));
    assert.equal(strays.length, 5);
    assert.ok(strays.every((c) => c.action === 'skipped' && /MassPruneRefused/.test(c.error ?? '')));
    for (let i = 1; i <= 5; i++) assert.equal(await exists(`stray-${i}`), true);
    const confirmed = await reconcile(due(), 'cli', 'cli:root', { allowMassPrune: true });
    assert.equal(confirmed.changes.filter((c) => c.action === 'deleted').length, 5);
  });
});
