// pruneObjects and inventoryDiff against the in-memory cluster: only what still carries Outpost's label goes,
// in reverse apply order; a namespace holding someone else's object is kept; an opt-out annotation is honoured.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PruneError } from '../../server/apply/errors.ts';
import { MANAGED_BY, PRUNE_ANNOTATION } from '../../server/apply/labels.ts';
import { inventoryDiff, pruneObjects } from '../../server/apply/prune.ts';
import type { KubeObject, ObjectRef } from '../../server/cluster/types.ts';
import { refOf } from '../../server/cluster/types.ts';
import { FakeCluster } from '../support/fake-cluster.ts';

const OURS = { [MANAGED_BY]: 'outpost' };
const obj = (
  apiVersion: string,
  kind: string,
  name: string,
  namespace?: string,
  meta: Partial<KubeObject['metadata']> = {},
): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}), ...meta },
});
const nsRef: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name: 'shop' };
const deployRef: ObjectRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };

test('inventoryDiff names what the previous revision had and the next does not', () => {
  const a = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'a' };
  const b = { ...a, name: 'b' };
  assert.deepEqual(inventoryDiff([a, b], [b]), [a]);
  assert.deepEqual(inventoryDiff([a], [a]), []);
});

test('owned objects are deleted in reverse apply order: the workload before its namespace', async () => {
  const cluster = new FakeCluster().seed(
    obj('v1', 'Namespace', 'shop', undefined, { labels: OURS }),
    obj('apps/v1', 'Deployment', 'web', 'shop', { labels: OURS }),
  );
  const changes = await pruneObjects(cluster, [nsRef, deployRef]);
  assert.deepEqual(
    changes.map((c) => [c.ref, c.action]),
    [
      ['apps/v1 Deployment shop/web', 'deleted'],
      ['v1 Namespace shop', 'deleted'],
    ],
  );
  assert.equal(cluster.objects.size, 0);
});

test('a namespace that also holds an object Outpost does not manage is kept, and says whose object it is', async () => {
  const cluster = new FakeCluster().seed(
    obj('v1', 'Namespace', 'shop', undefined, { labels: OURS }),
    obj('v1', 'ConfigMap', 'kube-root-ca.crt', 'shop'),
    obj('v1', 'ConfigMap', 'hand-made', 'shop'),
  );
  const [change] = await pruneObjects(cluster, [nsRef]);
  assert.equal(change?.action, 'skipped');
  assert.match(change?.error ?? '', /ConfigMap hand-made, which Outpost does not manage/);
  assert.ok(cluster.objects.has('v1 Namespace shop'));
  assert.equal(cluster.callsOf('delete').length, 0);
});

test('built-in and controller-made objects do not keep a namespace', async () => {
  const cluster = new FakeCluster().seed(
    obj('v1', 'Namespace', 'shop', undefined, { labels: OURS }),
    obj('v1', 'ConfigMap', 'kube-root-ca.crt', 'shop'),
    obj('v1', 'ServiceAccount', 'default', 'shop'),
    obj('apps/v1', 'ReplicaSet', 'web-abc', 'shop', { ownerReferences: [{ uid: 'u1' }] }),
  );
  const [change] = await pruneObjects(cluster, [nsRef]);
  assert.equal(change?.action, 'deleted');
});

test('a kind the node may not list does not decide the namespace guard', async () => {
  const cluster = new FakeCluster()
    .seed(obj('v1', 'Namespace', 'shop', undefined, { labels: OURS }))
    .failOn('list', FakeCluster.error(403, 'Forbidden'), 'v1 ConfigMap');
  const [change] = await pruneObjects(cluster, [nsRef]);
  assert.equal(change?.action, 'deleted');
});

test('an object without the owner label, or marked prune: disabled, is skipped; one already gone is no change', async () => {
  const cluster = new FakeCluster().seed(
    obj('v1', 'ConfigMap', 'adopted', 'shop'),
    obj('v1', 'ConfigMap', 'keep', 'shop', { labels: OURS, annotations: { [PRUNE_ANNOTATION]: 'disabled' } }),
  );
  const gone: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'gone' };
  const changes = await pruneObjects(cluster, [
    refOf(obj('v1', 'ConfigMap', 'adopted', 'shop')),
    refOf(obj('v1', 'ConfigMap', 'keep', 'shop')),
    gone,
  ]);
  assert.deepEqual(
    changes.map((c) => [c.ref, c.action]),
    [
      ['v1 ConfigMap shop/adopted', 'skipped'],
      ['v1 ConfigMap shop/keep', 'skipped'],
    ],
  );
  assert.equal(cluster.callsOf('delete').length, 0);
});

test('a delete the API refuses fails the prune with a PruneError naming the object', async () => {
  const cluster = new FakeCluster()
    .seed(obj('apps/v1', 'Deployment', 'web', 'shop', { labels: OURS }))
    .failOn('delete', FakeCluster.error(403, 'Forbidden', 'deployments "web" is forbidden'));
  await assert.rejects(pruneObjects(cluster, [deployRef]), (err: Error) => {
    assert.ok(err instanceof PruneError);
    assert.match(err.message, /^apps\/v1 Deployment shop\/web: deployments "web" is forbidden/);
    return true;
  });
});
