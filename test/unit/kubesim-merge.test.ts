// Pure pieces of the simulator: field sets, structured merge, patches and selectors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../server/kubesim/errors.ts';
import { compare, fromFieldsV1, pathString, toFieldSet, toFieldsV1 } from '../../server/kubesim/fieldset.ts';
import { BUILTIN } from '../../server/kubesim/kinds.ts';
import { mergeValue } from '../../server/kubesim/merge.ts';
import { jsonPatch, strategicMerge } from '../../server/kubesim/patch.ts';
import { schemaFor } from '../../server/kubesim/schema.ts';
import { parseLabelSelector } from '../../server/kubesim/selectors.ts';

const deployRt = BUILTIN.find((t) => t.kind === 'Deployment');
const svcRt = BUILTIN.find((t) => t.kind === 'Service');
if (!deployRt || !svcRt) throw new Error('built-in kinds missing');
const deploy = schemaFor(deployRt);

describe('field sets', () => {
  test('FieldsV1 round-trips, with "." for members that also have children', () => {
    const fields = {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:template': {
          'f:spec': {
            'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
          },
        },
      },
    };
    const set = fromFieldsV1(fields);
    assert.equal(set.size, 5);
    assert.deepEqual(toFieldsV1(set), fields);
  });

  test('container ports are keyed by containerPort and the defaulted protocol', () => {
    const set = toFieldSet(
      { spec: { template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] } } } },
      deploy,
    );
    const port = [...set].find((p) => p.endsWith('k:{"containerPort":80,"protocol":"TCP"}'));
    assert.ok(port);
    assert.equal(
      pathString(port),
      '.spec.template.spec.containers[name="a"].ports[containerPort=80,protocol="TCP"]',
    );
  });

  test('Service ports are keyed by port and protocol, other lists are atomic', () => {
    const set = toFieldSet(
      { spec: { ports: [{ port: 443, protocol: 'TCP' }], clusterIPs: ['10.43.0.9'] } },
      schemaFor(svcRt),
    );
    assert.ok(set.has('f:spec\nf:ports\nk:{"port":443,"protocol":"TCP"}'));
    assert.ok(set.has('f:spec\nf:clusterIPs'));
  });

  test('compare reports added, removed and modified leaves', () => {
    const c = compare(
      { spec: { replicas: 1, paused: true } },
      { spec: { replicas: 2, minReadySeconds: 5 } },
      deploy,
    );
    assert.deepEqual([...c.modified], ['f:spec\nf:replicas']);
    assert.deepEqual([...c.added], ['f:spec\nf:minReadySeconds']);
    assert.deepEqual([...c.removed], ['f:spec\nf:paused']);
  });
});

describe('structured merge', () => {
  test('keyed lists merge by key and keep the order structured-merge-diff gives', () => {
    const live = {
      spec: { template: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b' }, { name: 'c' }] } } },
    };
    const config = {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'c', image: '3' },
              { name: 'a', image: '2' },
            ],
          },
        },
      },
    };
    const merged = mergeValue(live, config, deploy) as {
      spec: { template: { spec: { containers: object[] } } };
    };
    assert.deepEqual(merged.spec.template.spec.containers, [
      { name: 'b' },
      { name: 'c', image: '3' },
      { name: 'a', image: '2' },
    ]);
  });

  test('atomic lists and atomic selectors are replaced whole', () => {
    const merged = mergeValue(
      {
        spec: {
          selector: { matchLabels: { a: '1', b: '2' } },
          template: { spec: { tolerations: [{ key: 'x' }] } },
        },
      },
      {
        spec: { selector: { matchLabels: { a: '1' } }, template: { spec: { tolerations: [{ key: 'y' }] } } },
      },
      deploy,
    );
    assert.deepEqual(merged, {
      spec: { selector: { matchLabels: { a: '1' } }, template: { spec: { tolerations: [{ key: 'y' }] } } },
    });
  });
});

describe('patches', () => {
  test('strategic merge deletes a keyed item with $patch: delete and ignores $setElementOrder', () => {
    const live = { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } } } };
    const out = strategicMerge(
      live,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'a' }],
              containers: [{ name: 'b', $patch: 'delete' }],
            },
          },
        },
      },
      deploy,
    );
    assert.deepEqual(out, { spec: { template: { spec: { containers: [{ name: 'a' }] } } } });
  });

  test('a failing JSON patch test operation is refused', () => {
    assert.throws(
      () => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]),
      (e: unknown) => e instanceof ApiError && e.code === 422,
    );
    assert.deepEqual(jsonPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/-', value: 3 }]), { a: [1, 2, 3] });
  });
});

describe('label selectors', () => {
  test('set-based and equality requirements combine with AND', () => {
    const m = parseLabelSelector('env in (prod, staging),tier!=db,!legacy');
    assert.equal(m({ env: 'prod', tier: 'web' }), true);
    assert.equal(m({ env: 'prod', tier: 'db' }), false);
    assert.equal(m({ env: 'prod', legacy: 'yes' }), false);
    assert.equal(m({ env: 'dev' }), false);
  });

  test('a malformed selector is a 400', () => {
    assert.throws(
      () => parseLabelSelector('app=web,=x'),
      (e: unknown) => e instanceof ApiError && e.code === 400,
    );
  });
});
