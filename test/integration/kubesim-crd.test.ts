// CustomResourceDefinitions in the simulator: kinds served once Established, custom resources, removal.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type SimClient, waitFor } from '../../server/kubesim/testing.ts';
import { useKubesim } from '../support/kubesim.ts';

const DELAY = 100;
let k: SimClient;

useKubesim({ readyDelayMs: DELAY }, (_sim, client) => {
  k = client;
});

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes JSON in assertions.
type Obj = any;

const cond = (o: Obj, type: string) => (o.status?.conditions ?? []).find((c: Obj) => c.type === type);

describe('CustomResourceDefinition', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: {
        kind: 'Widget',
        plural: 'widgets',
        singular: 'widget',
        listKind: 'WidgetList',
        shortNames: ['wd'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
            },
          },
        },
      ],
    },
  };
  const widget = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w1' },
    spec: { size: 3 },
  };

  test('a CRD registers its kind once Established; instances can then be created and listed', async () => {
    const created = await k.apply(
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com',
      crd,
      'outpost',
    );
    assert.equal(created.status, 201);
    const tooSoon = await k.get('/apis/example.com/v1/namespaces/default/widgets');
    assert.equal(tooSoon.status, 404, 'not served before it is established');
    const established: Obj = await waitFor(
      async () => {
        const x = (await k.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com'))
          .body;
        return cond(x, 'Established')?.status === 'True' ? x : undefined;
      },
      2000,
      'established',
    );
    assert.equal(cond(established, 'NamesAccepted').status, 'True');
    const discovery = await k.get('/apis/example.com/v1');
    assert.equal(discovery.body.resources[0].kind, 'Widget');
    const w = await k.apply('/apis/example.com/v1/namespaces/default/widgets/w1', widget, 'outpost');
    assert.equal(w.status, 201);
    assert.equal(w.body.metadata.generation, 1);
    const list = await k.get('/apis/example.com/v1/widgets');
    assert.equal(list.body.kind, 'WidgetList');
    assert.equal(list.body.items[0].kind, 'Widget', 'custom resource list items keep their kind');
    const same = await k.apply('/apis/example.com/v1/namespaces/default/widgets/w1', widget, 'outpost');
    assert.equal(same.body.metadata.resourceVersion, w.body.metadata.resourceVersion);
    const smp = await k.req(
      'PATCH',
      '/apis/example.com/v1/namespaces/default/widgets/w1',
      { spec: { size: 4 } },
      'application/strategic-merge-patch+json',
    );
    assert.equal(smp.status, 415, 'custom resources take no strategic merge patch');
  });

  test('a structural schema prunes unknown fields and fills defaults', async () => {
    const gizmos = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gizmos.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Gizmo', plural: 'gizmos', singular: 'gizmo', listKind: 'GizmoList' },
        scope: 'Cluster',
        versions: [
          {
            name: 'v1alpha1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: {
                      mode: { type: 'string', default: 'auto' },
                      extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                    },
                  },
                  status: { type: 'object', properties: { ready: { type: 'boolean' } } },
                },
              },
            },
          },
        ],
      },
    };
    await k.apply(
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.example.com',
      gizmos,
      'outpost',
    );
    await waitFor(
      async () => (await k.get('/apis/example.com/v1alpha1/gizmos')).status === 200,
      2000,
      'served',
    );
    const g = await k.apply(
      '/apis/example.com/v1alpha1/gizmos/g1',
      {
        apiVersion: 'example.com/v1alpha1',
        kind: 'Gizmo',
        metadata: { name: 'g1' },
        spec: { unknown: 1, extra: { anything: { goes: true } } },
        status: { ready: true },
      },
      'outpost',
    );
    assert.equal(g.status, 201);
    assert.deepEqual(g.body.spec, { mode: 'auto', extra: { anything: { goes: true } } });
    assert.equal(g.body.status, undefined, 'status is not written through the main endpoint');
    assert.equal(g.body.metadata.namespace, undefined, 'cluster-scoped');
    const st = await k.req(
      'PATCH',
      '/apis/example.com/v1alpha1/gizmos/g1/status',
      { status: { ready: true, bogus: 1 } },
      'application/merge-patch+json',
    );
    assert.deepEqual(st.body.status, { ready: true });
  });

  test('deleting the CRD removes the kind and its objects', async () => {
    const del = await k.del('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
    assert.equal(del.status, 200);
    assert.equal((await k.get('/apis/example.com/v1/namespaces/default/widgets/w1')).status, 404);
    assert.equal((await k.get('/apis/example.com/v1')).status, 404, 'the version is gone from discovery');
    const group = (await k.get('/apis')).body.groups.find((g: Obj) => g.name === 'example.com');
    assert.deepEqual(
      group.versions.map((v: Obj) => v.version),
      ['v1alpha1'],
      'the group stays for the other CRD',
    );
    const unknown = await k.post('/apis/example.com/v1/namespaces/default/widgets', widget);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.message, 'the server could not find the requested resource');
  });
});
