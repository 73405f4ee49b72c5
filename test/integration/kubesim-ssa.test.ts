// Server-side apply in the simulator: creation, no-op re-applies, pruning, ownership, conflicts and force.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kubesim } from '../../server/kubesim/index.ts';
import { type SimClient, waitFor } from '../../server/kubesim/testing.ts';
import { useKubesim } from '../support/kubesim.ts';

let sim: Kubesim;
let k: SimClient;

useKubesim({ readyDelayMs: 50 }, (s, client) => {
  sim = s;
  k = client;
});

const CM = '/api/v1/namespaces/default/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';

function deployment(
  name: string,
  replicas: number,
  containers: object[],
  labels: Record<string, string> = {},
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  };
}

describe('server-side apply', () => {
  test('apply creates an absent object with 201 and an Apply managedFields entry', async () => {
    const res = await k.apply(
      `${CM}/ssa-create`,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa-create' }, data: { a: '1' } },
      'outpost',
    );
    assert.equal(res.status, 201);
    const entry = res.body.metadata.managedFields[0];
    assert.equal(entry.manager, 'outpost');
    assert.equal(entry.operation, 'Apply');
    assert.equal(entry.fieldsType, 'FieldsV1');
    assert.deepEqual(entry.fieldsV1, { 'f:data': { 'f:a': {} } });
    assert.equal(res.body.metadata.namespace, 'default');
  });

  test('applying the same config again stores nothing and keeps the resourceVersion', async () => {
    const cfg = deployment(
      'same',
      0,
      [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }],
      { team: 'a' },
    );
    const first = await k.apply(`${DEPLOY}/same`, cfg, 'outpost');
    assert.equal(first.status, 201);
    // Let the simulated controllers finish their own writes (revision annotation, status) first.
    const live = await waitFor(async () => {
      const d = (await k.get(`${DEPLOY}/same`)).body;
      const progressing = d.status?.conditions?.find((c: { type: string }) => c.type === 'Progressing');
      return progressing?.reason === 'NewReplicaSetAvailable' ? d : undefined;
    });
    const writes = sim.stats.writes;
    const second = await k.apply(`${DEPLOY}/same`, cfg, 'outpost');
    assert.equal(second.status, 200);
    assert.equal(second.body.metadata.resourceVersion, live.metadata.resourceVersion);
    assert.equal(second.body.metadata.generation, 1);
    assert.equal(sim.stats.writes, writes + 1, 'the apply is a write request even though it stored nothing');
    const after = (await k.get(`${DEPLOY}/same`)).body;
    assert.equal(after.metadata.resourceVersion, live.metadata.resourceVersion);
    assert.equal(
      after.spec.template.spec.containers[0].ports[0].protocol,
      'TCP',
      'server defaults stay in place',
    );
    const fields = first.body.metadata.managedFields.find(
      (m: { manager: string }) => m.manager === 'outpost',
    ).fieldsV1;
    const container = fields['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"app"}'];
    assert.ok(
      container['f:ports']['k:{"containerPort":80,"protocol":"TCP"}'],
      'ports keyed with the defaulted protocol',
    );
    assert.deepEqual(fields['f:spec']['f:selector'], {}, 'a label selector is atomic');
  });

  test('apply as YAML text works like JSON', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  greeting: hello\n';
    const res = await k.req(
      'PATCH',
      `${CM}/from-yaml?fieldManager=outpost`,
      yaml,
      'application/apply-patch+yaml',
    );
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.data, { greeting: 'hello' });
  });

  test('a field the manager stops applying is removed, unless another manager owns it too', async () => {
    const base = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'prune', labels: { keep: 'y', drop: 'y' } },
    };
    await k.apply(`${CM}/prune`, { ...base, data: { a: '1', b: '2', c: '3' } }, 'outpost');
    // Another applier states c with the same value: now shared.
    await k.apply(
      `${CM}/prune`,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prune' }, data: { c: '3' } },
      'other',
    );
    const res = await k.apply(
      `${CM}/prune`,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'prune', labels: { keep: 'y' } },
        data: { a: '1' },
      },
      'outpost',
    );
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, { a: '1', c: '3' });
    assert.deepEqual(res.body.metadata.labels, { keep: 'y' });
  });

  test('a container the manager stops applying leaves the keyed list, the others merge by name', async () => {
    const two = deployment('lists', 0, [
      {
        name: 'a',
        image: 'nginx:1',
        env: [
          { name: 'X', value: '1' },
          { name: 'Y', value: '2' },
        ],
      },
      { name: 'b', image: 'busybox:1' },
    ]);
    await k.apply(`${DEPLOY}/lists`, two, 'outpost');
    const one = deployment('lists', 0, [{ name: 'a', image: 'nginx:2', env: [{ name: 'Y', value: '2' }] }]);
    const res = await k.apply(`${DEPLOY}/lists`, one, 'outpost');
    const containers = res.body.spec.template.spec.containers;
    assert.equal(containers.length, 1);
    assert.equal(containers[0].image, 'nginx:2');
    assert.deepEqual(containers[0].env, [{ name: 'Y', value: '2' }]);
    assert.equal(containers[0].terminationMessagePath, '/dev/termination-log');
    assert.equal(res.body.metadata.generation, 2);
  });

  test('changing a field another applier owns is a 409 listing the conflict', async () => {
    await k.apply(
      `${DEPLOY}/contested`,
      deployment('contested', 0, [{ name: 'c', image: 'nginx:1' }]),
      'alice',
    );
    const res = await k.apply(
      `${DEPLOY}/contested`,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'contested' }, spec: { replicas: 2 } },
      'bob',
    );
    assert.equal(res.status, 409);
    assert.equal(res.body.reason, 'Conflict');
    assert.equal(res.body.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
    assert.deepEqual(res.body.details.causes, [
      { reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' },
    ]);
    const same = await k.apply(
      `${DEPLOY}/contested`,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'contested' }, spec: { replicas: 0 } },
      'bob',
    );
    assert.equal(same.status, 200, 'stating the same value shares ownership without conflict');
  });

  test('a conflict with an Update manager names its API version', async () => {
    const created = await k.post(
      `${DEPLOY}?fieldManager=kubectl-client-side-apply`,
      deployment('csa', 0, [{ name: 'c', image: 'nginx:1' }]),
    );
    assert.equal(created.status, 201);
    const res = await k.apply(
      `${DEPLOY}/csa`,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'csa' }, spec: { replicas: 3 } },
      'outpost',
    );
    assert.equal(res.status, 409);
    assert.equal(
      res.body.message,
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
    const two = await k.apply(
      `${DEPLOY}/csa`,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'csa' },
        spec: { replicas: 3, revisionHistoryLimit: 2 },
      },
      'outpost',
    );
    assert.match(
      two.body.message,
      /^Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps\/v1:\n- \.spec\.replicas\n- \.spec\.revisionHistoryLimit$/,
    );
  });

  test('force=true takes ownership from the other manager', async () => {
    await k.apply(`${DEPLOY}/forced`, deployment('forced', 0, [{ name: 'c', image: 'nginx:1' }]), 'alice');
    const res = await k.apply(
      `${DEPLOY}/forced`,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'forced' }, spec: { replicas: 1 } },
      'bob',
      '&force=true',
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.spec.replicas, 1);
    const alice = res.body.metadata.managedFields.find((m: { manager: string }) => m.manager === 'alice');
    const bob = res.body.metadata.managedFields.find((m: { manager: string }) => m.manager === 'bob');
    assert.equal(alice.fieldsV1['f:spec']['f:replicas'], undefined);
    assert.deepEqual(bob.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    // Alice dropping replicas no longer removes it: bob owns it now.
    const again = await k.apply(
      `${DEPLOY}/forced`,
      deployment('forced', 0, [{ name: 'c', image: 'nginx:1' }]),
      'alice',
      '&force=true',
    );
    assert.equal(again.body.spec.replicas, 0);
  });

  test('non-apply writes record Update entries for their field manager', async () => {
    await k.apply(
      `${CM}/mixed`,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mixed' }, data: { a: '1' } },
      'outpost',
    );
    const patched = await k.req(
      'PATCH',
      `${CM}/mixed?fieldManager=kubectl-edit`,
      { data: { b: '2' } },
      'application/merge-patch+json',
    );
    const edit = patched.body.metadata.managedFields.find(
      (m: { manager: string }) => m.manager === 'kubectl-edit',
    );
    assert.equal(edit.operation, 'Update');
    assert.equal(edit.apiVersion, 'v1');
    assert.deepEqual(edit.fieldsV1, { 'f:data': { 'f:b': {} } });
    const conflict = await k.apply(
      `${CM}/mixed`,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mixed' }, data: { a: '1', b: '3' } },
      'outpost',
    );
    assert.equal(conflict.status, 409);
  });

  test('apply refuses a wrong apiVersion, managedFields in the body and a name that differs from the URL', async () => {
    const version = await k.apply(
      `${CM}/bad`,
      { apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'bad' } },
      'outpost',
    );
    assert.equal(version.status, 400);
    assert.equal(
      version.body.message,
      'Incorrect version specified in apply patch. Specified patch version: v2, expected: v1',
    );
    const mf = await k.apply(
      `${CM}/bad`,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad', managedFields: [] } },
      'outpost',
    );
    assert.equal(mf.status, 400);
    const name = await k.apply(
      `${CM}/bad`,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } },
      'outpost',
    );
    assert.equal(name.status, 400);
    assert.equal(
      name.body.message,
      'the name of the object (other) does not match the name on the URL (bad)',
    );
  });

  test('apply to /status owns status fields separately from the main resource', async () => {
    await k.apply(
      '/api/v1/namespaces/default/resourcequotas/rq',
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'rq' }, spec: { hard: { pods: '4' } } },
      'outpost',
    );
    const res = await k.apply(
      '/api/v1/namespaces/default/resourcequotas/rq/status',
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'rq' }, status: { used: { pods: '1' } } },
      'quota-controller',
    );
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.status, { used: { pods: '1' } });
    assert.deepEqual(res.body.spec, { hard: { pods: '4' } });
    const entry = res.body.metadata.managedFields.find(
      (m: { manager: string }) => m.manager === 'quota-controller',
    );
    assert.equal(entry.subresource, 'status');
  });
});
