// applyAll against the in-memory cluster: staged by rank, new objects created without a dry run, an unchanged
// object skipped (no write), a changed one configured, and a failing stage stopping the stages after it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplyError } from '../../server/apply/errors.ts';
import { MANAGED_BY } from '../../server/apply/labels.ts';
import { applyAll } from '../../server/apply/ssa.ts';
import type { KubeObject } from '../../server/cluster/types.ts';
import { FakeCluster, WIDGET_CRD, widget } from '../support/fake-cluster.ts';

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const cm = (name: string, data: Record<string, string>, namespace = 'shop'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data,
});
const deploy = (name: string, image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: { selector: { matchLabels: { app: name } }, template: { spec: { containers: [{ name, image }] } } },
});
const owned = (o: KubeObject): KubeObject => ({
  ...o,
  metadata: { ...o.metadata, labels: { ...o.metadata.labels, [MANAGED_BY]: 'outpost' } },
});

test('new objects are created in stages by rank, with owner labels and no dry run', async () => {
  const cluster = new FakeCluster();
  const report = await applyAll(cluster, [ns('shop'), cm('settings', { a: '1' }), deploy('web', 'web:1')]);
  assert.equal(report.failed, undefined);
  assert.deepEqual(
    report.changes.map((c) => c.action),
    ['created', 'created', 'created'],
  );
  assert.equal(
    cluster.callsOf('apply', { dryRun: true }).length,
    0,
    'nothing to compare against: no dry run',
  );
  // The namespace is written before anything that lives in it (the fake refuses an object in a missing namespace).
  assert.deepEqual(
    cluster.callsOf('apply').map((c) => c.target),
    ['v1 Namespace shop', 'v1 ConfigMap shop/settings', 'apps/v1 Deployment shop/web'],
  );
  assert.equal(cluster.objects.get('v1 ConfigMap shop/settings')?.metadata.labels?.[MANAGED_BY], 'outpost');
});

test('an object whose dry run equals the live one is skipped: an unchanged resync writes nothing', async () => {
  const cluster = new FakeCluster().seed(owned(ns('shop')), owned(cm('settings', { a: '1' })));
  const report = await applyAll(cluster, [ns('shop'), cm('settings', { a: '1' })]);
  assert.deepEqual(
    report.changes.map((c) => c.action),
    ['unchanged', 'unchanged'],
  );
  assert.equal(cluster.callsOf('apply', { dryRun: false }).length, 0);
  assert.equal(cluster.callsOf('apply', { dryRun: true }).length, 2);
});

test('a changed object is configured, and only it is written', async () => {
  const cluster = new FakeCluster().seed(
    owned(ns('shop')),
    owned(cm('a', { v: '1' })),
    owned(cm('b', { v: '1' })),
  );
  const report = await applyAll(cluster, [ns('shop'), cm('a', { v: '1' }), cm('b', { v: '2' })]);
  assert.deepEqual(
    report.changes.map((c) => [c.ref, c.action]),
    [
      ['v1 Namespace shop', 'unchanged'],
      ['v1 ConfigMap shop/a', 'unchanged'],
      ['v1 ConfigMap shop/b', 'configured'],
    ],
  );
  assert.deepEqual(
    cluster.callsOf('apply', { dryRun: false }).map((c) => c.target),
    ['v1 ConfigMap shop/b'],
  );
  assert.deepEqual(cluster.objects.get('v1 ConfigMap shop/b')?.data, { v: '2' });
});

test('a plan that already knows the action is trusted: no second dry run', async () => {
  const cluster = new FakeCluster().seed(owned(ns('shop')), owned(cm('a', { v: '1' })));
  const planned = new Map([
    ['v1 Namespace shop', 'unchanged' as const],
    ['v1 ConfigMap shop/a', 'configured' as const],
  ]);
  const report = await applyAll(cluster, [ns('shop'), cm('a', { v: '2' })], { planned });
  assert.deepEqual(
    report.changes.map((c) => c.action),
    ['unchanged', 'configured'],
  );
  assert.equal(cluster.callsOf('apply', { dryRun: true }).length, 0);
});

test('a failing stage stops the apply: later stages are not attempted, and the error names the object', async () => {
  const cluster = new FakeCluster().failOn(
    'apply',
    FakeCluster.error(422, 'Invalid', 'data: Invalid value'),
    'v1 ConfigMap shop/settings',
  );
  const report = await applyAll(cluster, [ns('shop'), cm('settings', { a: '1' }), deploy('web', 'web:1')]);
  assert.ok(report.failed instanceof ApplyError);
  assert.match(report.failed.message, /^v1 ConfigMap shop\/settings: data: Invalid value/);
  assert.deepEqual(
    report.changes.map((c) => [c.ref, c.action]),
    [
      ['v1 Namespace shop', 'created'],
      ['v1 ConfigMap shop/settings', 'failed'],
    ],
  );
  assert.equal(cluster.objects.has('apps/v1 Deployment shop/web'), false, 'the next stage never ran');
});

test('a CRD is waited for until established and discovery is refreshed before its custom resources', async () => {
  const cluster = new FakeCluster();
  const report = await applyAll(cluster, [WIDGET_CRD, ns('shop'), widget('w')]);
  assert.equal(report.failed, undefined);
  assert.equal(cluster.discoveryInvalidations, 1);
  assert.ok(cluster.objects.has('example.com/v1 Widget shop/w'));
});

test('reading the live objects failing fails the apply before any write', async () => {
  const cluster = new FakeCluster().failOn('get', FakeCluster.error(500, 'InternalError'));
  const report = await applyAll(cluster, [ns('shop')]);
  assert.ok(report.failed instanceof ApplyError);
  assert.match(report.failed.message, /reading the live objects/);
  assert.equal(cluster.callsOf('apply').length, 0);
});
