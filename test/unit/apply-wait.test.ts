// waitHealthy against the in-memory cluster: healthy when every object is, soon after the apply (quick looks), failing
// at once (no waiting out the timeout) when a rollout's current pods cannot start, never failing on the previous
// rollout's broken pods.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitHealthy } from '../../server/apply/wait.ts';
import type { KubeObject, ObjectRef } from '../../server/cluster/types.ts';
import { FakeCluster } from '../support/fake-cluster.ts';

const REF: ObjectRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };
/**
 * With no time to wait, waitHealthy looks once: a verdict other than "not healthy after 0s" came from that look
 * (fail-fast), and a broken fail-fast shows as the timeout message rather than as a hung test.
 */
const ONE_LOOK = { timeoutMs: 0 };

function deployment(status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'web-uid',
      generation: 2,
      annotations: { 'deployment.kubernetes.io/revision': '2' },
    },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } } },
    status: { observedGeneration: 2, ...status },
  };
}
const replicaSet = (hash: string, revision: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: `web-${hash}`,
    namespace: 'shop',
    labels: { app: 'web', 'pod-template-hash': hash },
    annotations: { 'deployment.kubernetes.io/revision': revision },
    ownerReferences: [{ uid: 'web-uid' }],
  },
});
const pod = (hash: string, waiting: { reason: string; restartCount?: number }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `web-${hash}-1`, namespace: 'shop', labels: { app: 'web', 'pod-template-hash': hash } },
  status: {
    phase: 'Pending',
    containerStatuses: [
      {
        name: 'web',
        restartCount: waiting.restartCount ?? 0,
        state: { waiting: { reason: waiting.reason } },
      },
    ],
  },
});

test('every object healthy is a healthy verdict at the first look', async () => {
  const cluster = new FakeCluster().seed(
    deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 }),
  );
  const v = await waitHealthy(cluster, [REF], ONE_LOOK);
  assert.equal(v.healthy, true);
  assert.deepEqual(
    v.objects.map((o) => o.health.status),
    ['Healthy'],
  );
});

test('a rollout whose current pods cannot pull their image fails at the first look, naming the pod', async () => {
  const cluster = new FakeCluster().seed(
    deployment({ replicas: 1, updatedReplicas: 0, availableReplicas: 0 }),
    replicaSet('new', '2'),
    pod('new', { reason: 'ImagePullBackOff' }),
  );
  const v = await waitHealthy(cluster, [REF], ONE_LOOK);
  assert.equal(v.healthy, false);
  assert.match(v.message, /^apps\/v1 Deployment shop\/web: pod web-new-1: container web: ImagePullBackOff/);
  assert.equal(
    cluster.callsOf('list').filter((c) => c.target === 'v1 Pod').length,
    1,
    'one look, no waiting',
  );
});

test("the previous rollout's crash-looping pods do not fail the revision that replaces them", async () => {
  const cluster = new FakeCluster().seed(
    deployment({ replicas: 2, updatedReplicas: 0, availableReplicas: 0 }),
    replicaSet('old', '1'),
    replicaSet('new', '2'),
    pod('old', { reason: 'CrashLoopBackOff', restartCount: 9 }),
  );
  const v = await waitHealthy(cluster, [REF], ONE_LOOK);
  assert.equal(v.healthy, false);
  assert.match(v.message, /^not healthy after 0s: apps\/v1 Deployment shop\/web: 0 of 1 replicas updated/);
  assert.deepEqual(
    v.objects.map((o) => o.health.status),
    ['Progressing'],
  );
});

test('an object missing from the cluster after its apply fails the wait at once', async () => {
  const cm = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name });
  const v = await waitHealthy(new FakeCluster(), [cm('a'), cm('b')], ONE_LOOK);
  assert.equal(v.healthy, false);
  assert.equal(v.message, 'v1 ConfigMap shop/a: missing from the cluster');
});

test('objects still progressing at the deadline are reported, the first by name and the rest counted', async () => {
  const other = { ...REF, name: 'api' };
  const cluster = new FakeCluster().seed(deployment({ replicas: 1, updatedReplicas: 0 }), {
    ...deployment({ replicas: 1, updatedReplicas: 0 }),
    metadata: { name: 'api', namespace: 'shop', generation: 2 },
  });
  const v = await waitHealthy(cluster, [REF, other], ONE_LOOK);
  assert.equal(v.healthy, false);
  assert.match(
    v.message,
    /^not healthy after 0s: apps\/v1 Deployment shop\/web: 0 of 1 replicas updated \(and 1 more\)$/,
  );
});

test('an object ready moments after its apply ends the wait then, without a look at its pods in between', async () => {
  const cluster = new FakeCluster().seed(
    deployment({ replicas: 1, updatedReplicas: 0, availableReplicas: 0 }),
  );
  setTimeout(() => cluster.seed(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 })), 10);
  const v = await waitHealthy(cluster, [REF], { timeoutMs: 60_000, intervalMs: 30_000 });
  assert.equal(v.healthy, true);
  // Without the quick looks the second look would come after the 30 s interval (and the test time out).
  assert.ok(v.elapsedMs < 10_000, `healthy after ${v.elapsedMs} ms`);
  assert.equal(cluster.callsOf('list').filter((c) => c.target === 'v1 Pod').length, 0);
  assert.equal(cluster.callsOf('list').filter((c) => c.target === 'apps/v1 ReplicaSet').length, 1);
});

test('the quick looks read again only what was not healthy; a full look reads everything', async () => {
  const cm: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'settings' };
  const cluster = new FakeCluster().seed(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' } },
    deployment({ replicas: 1, updatedReplicas: 0, availableReplicas: 0 }),
  );
  // Ready only after the first full interval: every quick look in between finds it progressing.
  setTimeout(() => cluster.seed(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 })), 250);
  const v = await waitHealthy(cluster, [cm, REF], { timeoutMs: 60_000, intervalMs: 200 });
  assert.equal(v.healthy, true);
  assert.deepEqual(
    v.objects.map((o) => [o.ref, o.health.status]),
    [
      ['v1 ConfigMap shop/settings', 'Healthy'],
      ['apps/v1 Deployment shop/web', 'Healthy'],
    ],
  );
  const reads = (kind: string) =>
    cluster.calls.filter((c) => (c.verb === 'get' || c.verb === 'list') && c.target.includes(kind)).length;
  const looks = reads('Deployment');
  assert.ok(looks >= 4, `${looks} looks at the Deployment`);
  // The first look and the full one at 200 ms (and perhaps one more) read the ConfigMap; the quick ones do not.
  assert.ok(reads('ConfigMap') < looks - 1, `${reads('ConfigMap')} reads of the ConfigMap, ${looks} looks`);
});
