// Prune: only what Outpost applied and no longer wants; opt-outs and namespaces holding others' objects stay.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { reconcile } from '../../server/sync/reconciler.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';

const OTHER_NS = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra\n';
const keepMe = `apiVersion: v1
kind: ConfigMap
metadata:
  name: keep-me
  namespace: shop
  annotations:
    outpost.io/prune: disabled
data: {a: b}
`;

describe('prune', () => {
  let f: Fleet;
  before(async () => {
    f = await makeFleet({
      'ns.yaml': NS,
      'extra.yaml': OTHER_NS,
      'a.yaml': configMap('a'),
      'keep.yaml': keepMe,
    });
    assert.equal((await reconcile(f.deps, 'startup')).result, 'succeeded');
  });
  after(async () => {
    await f.close();
  });

  test('an object marked outpost.io/prune: disabled survives its removal from the source', async () => {
    f.write({ 'ns.yaml': NS, 'extra.yaml': OTHER_NS, 'a.yaml': configMap('a') });
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.ok(run.changes.some((c) => c.ref === 'v1 ConfigMap shop/keep-me' && c.action === 'skipped'));
    assert.ok(
      await f.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'keep-me' }),
    );
  });

  test('a namespace that also holds objects Outpost does not manage is kept, and says why', async () => {
    await f.cluster.apply(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'hand-made', namespace: 'extra' },
        data: { x: '1' },
      },
      { fieldManager: 'kubectl' },
    );
    f.write({ 'ns.yaml': NS, 'a.yaml': configMap('a') });
    const run = await reconcile(f.deps, 'schedule');
    const ns = run.changes.find((c) => c.ref === 'v1 Namespace extra');
    assert.equal(ns?.action, 'skipped');
    assert.match(ns?.error ?? '', /ConfigMap hand-made, which Outpost does not manage/);
    assert.ok(await f.cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: 'extra' }));
  });

  test('a namespace holding only our objects is deleted, after its contents', async () => {
    const temp = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: temp\n';
    const tempCm = configMap('c').replace('namespace: shop', 'namespace: temp');
    f.write({ 'ns.yaml': NS, 'a.yaml': configMap('a'), 'temp.yaml': temp, 'temp-cm.yaml': tempCm });
    assert.equal((await reconcile(f.deps, 'schedule')).result, 'succeeded');
    f.write({ 'ns.yaml': NS, 'a.yaml': configMap('a') });
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.deepEqual(
      run.changes.filter((c) => c.action === 'deleted').map((c) => c.ref),
      ['v1 ConfigMap temp/c', 'v1 Namespace temp'],
    );
  });
});
