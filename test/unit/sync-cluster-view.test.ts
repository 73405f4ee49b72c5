// The console's cluster view: pods tied to their workloads, failing vs starting, counts, managed scope only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventSummary, podSummary, workloadSummary } from '../../server/cluster/reads.ts';
import type { KubeObject } from '../../server/cluster/types.ts';
import { buildSnapshot } from '../../server/sync/cluster-view.ts';

const deployment = (name: string, ns = 'shop', ready = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns, generation: 2 },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'main', image: `${name}:1` }] } } },
  status: { observedGeneration: 2, readyReplicas: ready, updatedReplicas: 1 },
});
const pod = (name: string, owner: string, hash: string, waiting?: string, restarts = 0): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: `${owner}-${hash}-${name}`,
    namespace: 'shop',
    labels: { 'pod-template-hash': hash },
    ownerReferences: [{ kind: 'ReplicaSet', name: `${owner}-${hash}`, controller: true }],
  },
  spec: { containers: [{ name: 'main' }], nodeName: 'n1' },
  status: {
    phase: waiting ? 'Pending' : 'Running',
    containerStatuses: [
      {
        name: 'main',
        ready: !waiting,
        restartCount: restarts,
        state: waiting
          ? { waiting: { reason: waiting, message: 'Back-off pulling image' } }
          : { running: {} },
      },
    ],
  },
});

test('a Deployment’s pods are found through their ReplicaSet, and an image pull back-off makes it failing', () => {
  const read = {
    nodes: [],
    pods: [pod('a', 'web', 'abc'), pod('b', 'printer', 'def', 'ImagePullBackOff', 3)].map(podSummary),
    workloads: [
      deployment('web'),
      deployment('printer', 'shop', 0),
      deployment('elsewhere', 'kube-system'),
    ].map(workloadSummary),
    events: [
      eventSummary({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'e', namespace: 'shop' },
        type: 'Warning',
        reason: 'Failed',
        message: 'Error: ImagePullBackOff',
        involvedObject: { kind: 'Pod', name: 'printer-def-b' },
        lastTimestamp: new Date().toISOString(),
      }),
    ],
  };
  const snap = buildSnapshot(read, {
    namespaces: new Set(['shop']),
    workloads: new Set(['Deployment/shop/web']),
  });
  assert.deepEqual(
    snap.workloads.map((w) => [w.name, w.state, w.pods.length, w.managed]),
    [
      ['printer', 'failing', 1, false],
      ['web', 'ok', 1, true],
    ],
  );
  assert.match(snap.workloads[0]?.problem ?? '', /^ImagePullBackOff: Back-off pulling image/);
  assert.equal(snap.workloads[0]?.restarts, 3);
  assert.deepEqual(snap.podPhases, { Running: 1, Pending: 1 });
  assert.equal(snap.restarts, 3);
  assert.equal(snap.warnings, 1);
  assert.equal(snap.events.length, 1);
});

test('a workload that is not ready yet but has no pod problem is starting, not failing', () => {
  const read = {
    nodes: [],
    pods: [],
    workloads: [deployment('web', 'shop', 0)].map(workloadSummary),
    events: [],
  };
  const snap = buildSnapshot(read, { namespaces: new Set(['shop']), workloads: new Set() });
  assert.equal(snap.workloads[0]?.state, 'progressing');
});

test('the restart annotation and images are read from the pod template', () => {
  const d = deployment('web');
  (d.spec as { template: { metadata?: unknown } }).template.metadata = {
    annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' },
  };
  const w = workloadSummary(d);
  assert.equal(w.restartedAt, '2026-01-01T00:00:00Z');
  assert.deepEqual(w.images, ['web:1']);
});
