// The simulator speaks the Kubernetes REST API: discovery, create/get/update with real Status errors, patches.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SimClient } from '../../server/kubesim/testing.ts';
import { cm, useKubesim } from '../support/kubesim.ts';

let k: SimClient;

useKubesim({ readyDelayMs: 50 }, (_sim, client) => {
  k = client;
});

describe('discovery', () => {
  test('discovery lists core and apps kinds with verbs and short names', async () => {
    const core = await k.get('/api/v1');
    assert.equal(core.status, 200);
    assert.equal(core.body.kind, 'APIResourceList');
    const cms = core.body.resources.find((r: { name: string }) => r.name === 'configmaps');
    assert.deepEqual(
      { kind: cms.kind, namespaced: cms.namespaced, short: cms.shortNames, singular: cms.singularName },
      { kind: 'ConfigMap', namespaced: true, short: ['cm'], singular: 'configmap' },
    );
    assert.ok(cms.verbs.includes('patch'));
    const ns = core.body.resources.find((r: { name: string }) => r.name === 'namespaces');
    assert.equal(ns.namespaced, false);
    const groups = await k.get('/apis');
    assert.equal(groups.body.kind, 'APIGroupList');
    const names = groups.body.groups.map((g: { name: string }) => g.name);
    for (const g of [
      'apps',
      'batch',
      'rbac.authorization.k8s.io',
      'apiextensions.k8s.io',
      'helm.cattle.io',
    ]) {
      assert.ok(names.includes(g), g);
    }
    const apps = await k.get('/apis/apps/v1');
    const deploy = apps.body.resources.find((r: { name: string }) => r.name === 'deployments');
    assert.equal(deploy.kind, 'Deployment');
    assert.deepEqual(deploy.shortNames, ['deploy']);
    assert.ok(apps.body.resources.some((r: { name: string }) => r.name === 'deployments/status'));
    assert.equal((await k.get('/api')).body.versions[0], 'v1');
  });

  test('version and health endpoints answer like a K3s server', async () => {
    const v = await k.get('/version');
    assert.equal(v.body.major, '1');
    assert.match(v.body.gitVersion, /\+k3s/);
    for (const p of ['/healthz', '/readyz', '/livez']) assert.equal((await k.get(p)).body, 'ok');
  });

  test('the cluster starts with system namespaces, one Ready node, and the HelmChart CRD', async () => {
    const ns = await k.get('/api/v1/namespaces');
    const names = ns.body.items.map((i: { metadata: { name: string } }) => i.metadata.name);
    assert.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    assert.equal(ns.body.items[0].status.phase, 'Active');
    const node = await k.get('/api/v1/nodes/outpost-sim-node');
    assert.equal(node.body.metadata.labels['topology.kubernetes.io/zone'], 'sim-zone-a');
    assert.equal(node.body.metadata.labels['kubernetes.io/hostname'], 'outpost-sim-node');
    const ready = node.body.status.conditions.find((c: { type: string }) => c.type === 'Ready');
    assert.equal(ready.status, 'True');
    const crd = await k.get(
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/helmcharts.helm.cattle.io',
    );
    assert.equal(crd.status, 200);
    assert.equal(crd.body.spec.names.kind, 'HelmChart');
    assert.equal((await k.get('/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts')).status, 200);
  });
});

describe('create, get, update', () => {
  test('create then get returns the object with resourceVersion, uid and creationTimestamp', async () => {
    const created = await k.post('/api/v1/namespaces/default/configmaps', cm('cg-1'));
    assert.equal(created.status, 201);
    const got = await k.get('/api/v1/namespaces/default/configmaps/cg-1');
    assert.equal(got.status, 200);
    assert.match(got.body.metadata.resourceVersion, /^\d+$/);
    assert.match(got.body.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(got.body.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(got.body.metadata.uid, created.body.metadata.uid);
    assert.deepEqual(got.body.data, { a: '1' });
    assert.equal(got.body.metadata.managedFields[0].operation, 'Update');
  });

  test('create twice answers 409 AlreadyExists as a Status', async () => {
    await k.post('/api/v1/namespaces/default/configmaps', cm('dup'));
    const again = await k.post('/api/v1/namespaces/default/configmaps', cm('dup'));
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "dup" already exists',
      reason: 'AlreadyExists',
      details: { name: 'dup', kind: 'configmaps' },
      code: 409,
    });
  });

  test('an object in a missing namespace is 404 naming the namespace', async () => {
    const res = await k.post('/api/v1/namespaces/nowhere/configmaps', cm('x', 'nowhere'));
    assert.equal(res.status, 404);
    assert.equal(res.body.reason, 'NotFound');
    assert.equal(res.body.message, 'namespaces "nowhere" not found');
  });

  test('a name that is not a DNS-1123 subdomain is 422 Invalid with the field cause', async () => {
    const res = await k.post('/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'Bad_Name' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: {
          metadata: { labels: { app: 'x' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.reason, 'Invalid');
    assert.match(
      res.body.message,
      /^Deployment\.apps "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    assert.equal(res.body.details.causes[0].field, 'metadata.name');
    const missing = await k.post('/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {},
    });
    assert.equal(missing.status, 422);
    assert.match(missing.body.message, /metadata\.name: Required value: name or generateName is required/);
    const nsLabel = await k.post('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'a.b' },
    });
    assert.equal(nsLabel.status, 422, 'namespaces need a DNS-1123 label');
  });

  test('a body that does not match the URL is rejected like the real server', async () => {
    const version = await k.post('/api/v1/namespaces/default/configmaps', {
      ...cm('m1'),
      apiVersion: 'apps/v1',
    });
    assert.equal(version.status, 400);
    assert.equal(
      version.body.message,
      'the API version in the data (apps/v1) does not match the expected API version (v1)',
    );
    const kind = await k.post('/api/v1/namespaces/default/configmaps', { ...cm('m2'), kind: 'Secret' });
    assert.equal(kind.status, 422);
    assert.match(kind.body.message, /kind: Invalid value: "Secret": must be ConfigMap/);
    const ns = await k.post('/api/v1/namespaces/default/configmaps', cm('m3', 'kube-system'));
    assert.equal(ns.status, 400);
    assert.equal(
      ns.body.message,
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  });

  test('PUT with a stale resourceVersion is 409 Conflict and PUT of an absent object is 404', async () => {
    const created = await k.post('/api/v1/namespaces/default/configmaps', cm('stale'));
    const v1 = created.body;
    const ok = await k.put('/api/v1/namespaces/default/configmaps/stale', { ...v1, data: { a: '2' } });
    assert.equal(ok.status, 200);
    assert.notEqual(ok.body.metadata.resourceVersion, v1.metadata.resourceVersion);
    const stale = await k.put('/api/v1/namespaces/default/configmaps/stale', { ...v1, data: { a: '3' } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.match(
      stale.body.message,
      /Operation cannot be fulfilled on configmaps "stale": the object has been modified/,
    );
    const absent = await k.put('/api/v1/namespaces/default/configmaps/absent', cm('absent'));
    assert.equal(absent.status, 404);
    assert.equal(absent.body.message, 'configmaps "absent" not found');
  });

  test('an update that changes nothing keeps the resourceVersion and generation', async () => {
    const created = await k.post('/api/v1/namespaces/default/configmaps', cm('same'));
    const put = await k.put('/api/v1/namespaces/default/configmaps/same', created.body);
    assert.equal(put.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
    const changed = await k.put('/api/v1/namespaces/default/configmaps/same', {
      ...created.body,
      data: { a: 'x' },
    });
    assert.equal(changed.body.metadata.generation, 2);
    const labelled = await k.put('/api/v1/namespaces/default/configmaps/same', {
      ...changed.body,
      metadata: { ...changed.body.metadata, labels: { l: 'v' } },
    });
    assert.equal(labelled.body.metadata.generation, 2, 'metadata changes do not bump generation');
  });

  test('the main endpoint ignores status and /status changes only status', async () => {
    const quota = {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q', namespace: 'default' },
      spec: { hard: { pods: '10' } },
      status: { hard: { pods: '99' } },
    };
    const created = await k.post('/api/v1/namespaces/default/resourcequotas', quota);
    assert.deepEqual(created.body.status, {});
    const statusPut = await k.put('/api/v1/namespaces/default/resourcequotas/q/status', {
      ...created.body,
      spec: { hard: { pods: '5' } },
      status: { hard: { pods: '10' }, used: { pods: '1' } },
    });
    assert.equal(statusPut.status, 200);
    assert.deepEqual(statusPut.body.status.used, { pods: '1' });
    assert.deepEqual(statusPut.body.spec.hard, { pods: '10' });
    assert.equal(statusPut.body.metadata.generation, 1);
    const mainPut = await k.put('/api/v1/namespaces/default/resourcequotas/q', {
      ...statusPut.body,
      spec: { hard: { pods: '20' } },
      status: {},
    });
    assert.deepEqual(mainPut.body.spec.hard, { pods: '20' });
    assert.deepEqual(mainPut.body.status.used, { pods: '1' }, 'status survives a main-endpoint update');
    assert.equal(mainPut.body.metadata.generation, 2);
    const statusManager = mainPut.body.metadata.managedFields.find(
      (m: { subresource?: string }) => m.subresource === 'status',
    );
    assert.ok(statusManager, 'status writes are recorded with subresource status');
  });
});

describe('patch', () => {
  test('merge, JSON and strategic merge patches apply and bump resourceVersion', async () => {
    await k.post('/api/v1/namespaces/default/configmaps', cm('p1', 'default', { a: '1', b: '2' }));
    const merge = await k.req(
      'PATCH',
      '/api/v1/namespaces/default/configmaps/p1',
      { data: { a: null, c: '3' } },
      'application/merge-patch+json',
    );
    assert.deepEqual(merge.body.data, { b: '2', c: '3' });
    const json = await k.req(
      'PATCH',
      '/api/v1/namespaces/default/configmaps/p1',
      [{ op: 'replace', path: '/data/b', value: 'B' }],
      'application/json-patch+json',
    );
    assert.deepEqual(json.body.data, { b: 'B', c: '3' });
    assert.ok(Number(json.body.metadata.resourceVersion) > Number(merge.body.metadata.resourceVersion));
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'smp', namespace: 'default' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'smp' } },
        template: {
          metadata: { labels: { app: 'smp' } },
          spec: {
            containers: [
              { name: 'a', image: 'nginx:1', env: [{ name: 'X', value: '1' }] },
              { name: 'b', image: 'busybox:1' },
            ],
          },
        },
      },
    };
    await k.post('/apis/apps/v1/namespaces/default/deployments', dep);
    const smp = await k.req(
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/smp',
      {
        spec: {
          template: {
            spec: { containers: [{ name: 'a', image: 'nginx:2', env: [{ name: 'Y', value: '2' }] }] },
          },
        },
      },
      'application/strategic-merge-patch+json',
    );
    assert.equal(smp.status, 200);
    const containers = smp.body.spec.template.spec.containers;
    assert.deepEqual(
      containers.map((c: { name: string; image: string }) => `${c.name}=${c.image}`),
      ['a=nginx:2', 'b=busybox:1'],
    );
    assert.deepEqual(
      containers[0].env.map((e: { name: string }) => e.name),
      ['X', 'Y'],
    );
    assert.equal(smp.body.metadata.generation, 2);
  });

  test('an unsupported patch content type is 415 and a missing fieldManager on apply is 422', async () => {
    await k.post('/api/v1/namespaces/default/configmaps', cm('p2'));
    const bad = await k.req('PATCH', '/api/v1/namespaces/default/configmaps/p2', '{}', 'text/plain');
    assert.equal(bad.status, 415);
    assert.equal(bad.body.reason, 'UnsupportedMediaType');
    const noManager = await k.req(
      'PATCH',
      '/api/v1/namespaces/default/configmaps/p2',
      cm('p2'),
      'application/apply-patch+yaml',
    );
    assert.equal(noManager.status, 422);
    assert.equal(
      noManager.body.message,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });
});
