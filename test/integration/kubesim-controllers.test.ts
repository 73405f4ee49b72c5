// Simulated controllers: workloads become ready (or fail to pull), CRDs establish, and nothing churns when idle.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kubesim } from '../../server/kubesim/index.ts';
import { type SimClient, waitFor } from '../../server/kubesim/testing.ts';
import { useKubesim } from '../support/kubesim.ts';

const DELAY = 100;
let sim: Kubesim;
let k: SimClient;

useKubesim({ readyDelayMs: DELAY }, (s, client) => {
  sim = s;
  k = client;
});

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes JSON in assertions.
type Obj = any;

function deployment(name: string, image: string, replicas = 2, extra: Obj = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      ...extra,
    },
  };
}

const cond = (o: Obj, type: string) => (o.status?.conditions ?? []).find((c: Obj) => c.type === type);
const podsOf = async (selector: string) =>
  (await k.get(`/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).body
    .items as Obj[];

describe('Deployment', () => {
  test('a Deployment becomes ready after readyDelayMs with its ReplicaSet and pods', async () => {
    const started = Date.now();
    const applied = await k.apply(
      '/apis/apps/v1/namespaces/default/deployments/web',
      deployment('web', 'nginx:1.27'),
      'outpost',
    );
    assert.deepEqual(applied.body.status, {}, 'a new Deployment starts with an empty status');
    const ready: Obj = await waitFor(
      async () => {
        const d = (await k.get('/apis/apps/v1/namespaces/default/deployments/web')).body;
        return d.status?.readyReplicas === 2 && cond(d, 'Progressing')?.reason === 'NewReplicaSetAvailable'
          ? d
          : undefined;
      },
      3000,
      'deployment ready',
    );
    assert.ok(Date.now() - started >= DELAY, 'readiness waits for the delay');
    assert.equal(ready.status.observedGeneration, ready.metadata.generation);
    assert.deepEqual(
      [ready.status.replicas, ready.status.updatedReplicas, ready.status.availableReplicas],
      [2, 2, 2],
    );
    assert.equal(cond(ready, 'Available').status, 'True');
    assert.equal(cond(ready, 'Available').reason, 'MinimumReplicasAvailable');
    const rs = (await k.get('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb')).body
      .items;
    assert.equal(rs.length, 1);
    assert.equal(rs[0].metadata.ownerReferences[0].uid, ready.metadata.uid);
    const hash = rs[0].metadata.labels['pod-template-hash'];
    assert.equal(rs[0].metadata.name, `web-${hash}`);
    const pods = await podsOf('app=web');
    assert.equal(pods.length, 2);
    for (const p of pods) {
      assert.match(p.metadata.name, new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
      assert.equal(p.status.phase, 'Running');
      assert.equal(cond(p, 'Ready').status, 'True');
      assert.equal(p.metadata.ownerReferences[0].kind, 'ReplicaSet');
      assert.equal(p.spec.nodeName, 'outpost-sim-node');
    }
  });

  test('an image matching failImages leaves pods in ImagePullBackOff and the Deployment unavailable', async () => {
    await k.apply(
      '/apis/apps/v1/namespaces/default/deployments/broken',
      deployment('broken', 'nginx:broken-1', 1, { progressDeadlineSeconds: 1 }),
      'outpost',
    );
    const pod: Obj = await waitFor(
      async () => {
        const [p] = await podsOf('app=broken');
        return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff'
          ? p
          : undefined;
      },
      3000,
      'ImagePullBackOff',
    );
    assert.equal(pod.status.phase, 'Pending');
    assert.equal(
      pod.status.containerStatuses[0].state.waiting.message,
      'Back-off pulling image "nginx:broken-1"',
    );
    const d: Obj = await waitFor(
      async () => {
        const x = (await k.get('/apis/apps/v1/namespaces/default/deployments/broken')).body;
        return cond(x, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? x : undefined;
      },
      3000,
      'ProgressDeadlineExceeded',
    );
    assert.equal(cond(d, 'Progressing').status, 'False');
    assert.equal(cond(d, 'Available').status, 'False');
    assert.equal(d.status.availableReplicas, undefined);
    const events = (await k.get('/api/v1/namespaces/default/events')).body.items.filter(
      (e: Obj) => e.involvedObject.name === pod.metadata.name,
    );
    const reasons = events.map((e: Obj) => `${e.type}/${e.reason}`);
    assert.ok(reasons.includes('Warning/Failed'), reasons.join());
    assert.ok(reasons.includes('Normal/BackOff'), reasons.join());
    assert.ok(events.some((e: Obj) => e.message === 'Error: ImagePullBackOff'));
  });

  test('a rollout to a broken image keeps the old pods serving', async () => {
    await k.apply(
      '/apis/apps/v1/namespaces/default/deployments/roll',
      deployment('roll', 'nginx:1', 1),
      'outpost',
    );
    await waitFor(
      async () =>
        (await k.get('/apis/apps/v1/namespaces/default/deployments/roll')).body.status?.availableReplicas ===
        1,
      3000,
    );
    await k.apply(
      '/apis/apps/v1/namespaces/default/deployments/roll',
      deployment('roll', 'nginx:broken-2', 1),
      'outpost',
    );
    await sleep(DELAY * 3);
    const d = (await k.get('/apis/apps/v1/namespaces/default/deployments/roll')).body;
    assert.equal(d.status.observedGeneration, 2);
    assert.equal(d.status.updatedReplicas, 1);
    assert.equal(d.status.replicas, 2, 'old and new pod both exist');
    assert.equal(d.status.availableReplicas, 1, 'the old pod is still available');
    assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '2');
  });
});

describe('other workloads', () => {
  test('a StatefulSet gets ordinal pods, PVCs from its claim templates, and revisions in status', async () => {
    await k.apply(
      '/apis/apps/v1/namespaces/default/statefulsets/db',
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db' },
        spec: {
          replicas: 2,
          serviceName: 'db',
          selector: { matchLabels: { app: 'db' } },
          template: {
            metadata: { labels: { app: 'db' } },
            spec: { containers: [{ name: 'pg', image: 'postgres:16' }] },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
        },
      },
      'outpost',
    );
    const s: Obj = await waitFor(
      async () => {
        const x = (await k.get('/apis/apps/v1/namespaces/default/statefulsets/db')).body;
        return x.status?.readyReplicas === 2 ? x : undefined;
      },
      3000,
      'statefulset ready',
    );
    assert.equal(s.status.currentRevision, s.status.updateRevision);
    assert.equal(s.status.updatedReplicas, 2);
    const names = (await podsOf('app=db')).map((p) => p.metadata.name).sort();
    assert.deepEqual(names, ['db-0', 'db-1']);
    const pvc: Obj = await waitFor(
      async () => {
        const x = (await k.get('/api/v1/namespaces/default/persistentvolumeclaims/data-db-0')).body;
        return x.status?.phase === 'Bound' ? x : undefined;
      },
      3000,
      'pvc bound',
    );
    assert.equal(pvc.status.capacity.storage, '1Gi');
  });

  test('a DaemonSet runs one pod on the node', async () => {
    await k.apply(
      '/apis/apps/v1/namespaces/default/daemonsets/agent',
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: {
            metadata: { labels: { app: 'agent' } },
            spec: { containers: [{ name: 'a', image: 'agent:1' }] },
          },
        },
      },
      'outpost',
    );
    const ds: Obj = await waitFor(
      async () => {
        const x = (await k.get('/apis/apps/v1/namespaces/default/daemonsets/agent')).body;
        return x.status?.numberReady === 1 ? x : undefined;
      },
      3000,
      'daemonset ready',
    );
    assert.deepEqual(
      [
        ds.status.desiredNumberScheduled,
        ds.status.currentNumberScheduled,
        ds.status.updatedNumberScheduled,
        ds.status.numberAvailable,
      ],
      [1, 1, 1, 1],
    );
  });

  test('a Job completes after the delay and a Job with a broken image never does', async () => {
    const job = (name: string, image: string) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'run', image }] } } },
    });
    await k.apply('/apis/batch/v1/namespaces/default/jobs/once', job('once', 'busybox:1'), 'outpost');
    await k.apply('/apis/batch/v1/namespaces/default/jobs/never', job('never', 'busybox:broken'), 'outpost');
    const done: Obj = await waitFor(
      async () => {
        const x = (await k.get('/apis/batch/v1/namespaces/default/jobs/once')).body;
        return cond(x, 'Complete')?.status === 'True' ? x : undefined;
      },
      3000,
      'job complete',
    );
    assert.equal(done.status.succeeded, 1);
    assert.ok(done.status.completionTime);
    assert.equal(done.spec.selector.matchLabels['batch.kubernetes.io/controller-uid'], done.metadata.uid);
    const stuck = (await k.get('/apis/batch/v1/namespaces/default/jobs/never')).body;
    assert.equal(cond(stuck, 'Complete'), undefined);
    assert.equal(stuck.status.active, 1);
    const invalid = await k.post('/apis/batch/v1/namespaces/default/jobs', {
      ...job('bad', 'busybox:1'),
      spec: { template: { spec: { containers: [{ name: 'run', image: 'busybox:1' }] } } },
    });
    assert.equal(invalid.status, 422);
    assert.match(
      invalid.body.message,
      /spec\.template\.spec\.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/,
    );
  });

  test('a LoadBalancer Service gets the node address like K3s servicelb', async () => {
    const res = await k.apply(
      '/api/v1/namespaces/default/services/lb',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'lb' },
        spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] },
      },
      'outpost',
    );
    assert.match(res.body.spec.clusterIP, /^10\.43\./);
    assert.ok(res.body.spec.ports[0].nodePort >= 30000);
    const svc: Obj = await waitFor(
      async () => {
        const x = (await k.get('/api/v1/namespaces/default/services/lb')).body;
        return x.status?.loadBalancer?.ingress ? x : undefined;
      },
      3000,
      'lb ingress',
    );
    assert.equal(svc.status.loadBalancer.ingress[0].ip, '127.0.0.1');
  });
});

describe('garbage collection', () => {
  test('deleting a Deployment removes its ReplicaSets and pods, unless orphaned', async () => {
    await k.apply(
      '/apis/apps/v1/namespaces/default/deployments/gc',
      deployment('gc', 'nginx:1', 1),
      'outpost',
    );
    await k.apply(
      '/apis/apps/v1/namespaces/default/deployments/orphan',
      deployment('orphan', 'nginx:1', 1),
      'outpost',
    );
    await waitFor(async () => (await podsOf('app in (gc,orphan)')).length === 2, 3000, 'pods');
    const del = await k.del('/apis/apps/v1/namespaces/default/deployments/gc', {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy: 'Background',
    });
    assert.equal(del.status, 200);
    assert.equal((await podsOf('app=gc')).length, 0);
    const rsGc = await k.get('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dgc');
    assert.equal(rsGc.body.items.length, 0);
    await k.del('/apis/apps/v1/namespaces/default/deployments/orphan?propagationPolicy=Orphan');
    const rs = (await k.get('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dorphan')).body
      .items;
    assert.equal(rs.length, 1);
    assert.equal(rs[0].metadata.ownerReferences, undefined);
    assert.equal((await podsOf('app=orphan')).length, 1);
  });
});

describe('housekeeping', () => {
  test('every namespace gets a default ServiceAccount and the root CA ConfigMap', async () => {
    await k.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fresh' } });
    await waitFor(
      async () => (await k.get('/api/v1/namespaces/fresh/serviceaccounts/default')).status === 200,
      2000,
    );
    assert.equal((await k.get('/api/v1/namespaces/fresh/configmaps/kube-root-ca.crt')).status, 200);
  });

  test('controller writes do not count as client writes and settle when nothing changes', async () => {
    await k.apply(
      '/apis/apps/v1/namespaces/default/deployments/quiet',
      deployment('quiet', 'nginx:1', 1),
      'outpost',
    );
    sim.stats.reset();
    await waitFor(
      async () =>
        (await k.get('/apis/apps/v1/namespaces/default/deployments/quiet')).body.status?.availableReplicas ===
        1,
      3000,
    );
    assert.equal(sim.stats.writes, 0);
    await sleep(DELAY * 4);
    const rv1 = (await k.get('/api/v1/namespaces')).body.metadata.resourceVersion;
    await sleep(DELAY * 3);
    const rv2 = (await k.get('/api/v1/namespaces')).body.metadata.resourceVersion;
    assert.equal(rv2, rv1, 'no background writes once everything is settled');
  });
});
