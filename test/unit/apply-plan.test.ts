// planObjects and validateShape against the in-memory cluster's discovery: one bad object stops the revision,
// kinds come from discovery or from CRDs in the same revision, scope must match, and the order is apply order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError } from '../../server/apply/errors.ts';
import { planObjects, validateShape } from '../../server/apply/plan.ts';
import { FakeCluster, WIDGET_CRD, widget } from '../support/fake-cluster.ts';

const cm = (name: string, namespace?: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(namespace ? { namespace } : {}) },
});
const rejects = (p: Promise<unknown>, pattern: RegExp) =>
  assert.rejects(p, (err: Error) => err instanceof ValidationError && pattern.test(err.message));

test('the plan is in apply order: namespaces before what lives in them', async () => {
  const planned = await planObjects(
    [cm('a', 'shop'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }],
    new FakeCluster(),
  );
  assert.deepEqual(
    planned.map((o) => o.kind),
    ['Namespace', 'ConfigMap'],
  );
});

test('a kind the cluster does not know stops the plan, naming the object', async () => {
  await rejects(
    planObjects(
      [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' } }],
      new FakeCluster(),
    ),
    /^example\.com\/v1 Widget shop\/w: the cluster does not know kind Widget in example\.com\/v1/,
  );
});

test('a CRD in the same revision makes its kind known before it exists', async () => {
  const cluster = new FakeCluster();
  const planned = await planObjects([widget('w'), WIDGET_CRD], cluster);
  assert.deepEqual(
    planned.map((o) => o.kind),
    ['CustomResourceDefinition', 'Widget'],
  );
  assert.equal(cluster.callsOf('resource').filter((c) => c.target.includes('Widget')).length, 0);
});

test('scope must match discovery: a namespaced kind needs a namespace, a cluster-scoped one takes none', async () => {
  await rejects(planObjects([cm('a')], new FakeCluster()), /metadata\.namespace is required for a ConfigMap/);
  await rejects(
    planObjects(
      [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', namespace: 'shop' } }],
      new FakeCluster(),
    ),
    /a Namespace is cluster-scoped and takes no namespace/,
  );
});

test('a discovery failure other than "no such kind" is not turned into a validation error', async () => {
  const cluster = new FakeCluster().failOn('resource', FakeCluster.error(503, 'ServiceUnavailable'));
  await assert.rejects(
    planObjects([cm('a', 'shop')], cluster),
    (err: Error) => !(err instanceof ValidationError),
  );
});

test('validateShape refuses a missing kind, a bad name and a duplicate, before the cluster is asked', () => {
  assert.throws(() => validateShape([{ apiVersion: 'v1', metadata: { name: 'a' } }]), /kind is missing/);
  assert.throws(() => validateShape([cm('Not_A_Name', 'shop')]), /is not a valid Kubernetes name/);
  assert.throws(() => validateShape([cm('a', 'shop'), cm('a', 'shop')]), /defined twice in this revision/);
});
