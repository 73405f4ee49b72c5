// Revision diffs for people: object by object, field by field, named lists matched by name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../server/cluster/types.ts';
import {
  changeLine,
  diffObjects,
  diffText,
  fieldChanges,
  objectChanges,
  showValue,
} from '../../server/sync/diff.ts';

const deploy = (image: string, env: Record<string, string>, replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    replicas,
    template: {
      spec: {
        containers: [
          { name: 'sidecar', image: 'proxy:1' },
          { name: 'main', image, env: Object.entries(env).map(([name, value]) => ({ name, value })) },
        ],
      },
    },
  },
});
const cm = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'shop' },
  data,
});

test('containers and env are matched by name, so a reorder is no change and an edit names the container', () => {
  const a = deploy('web:1', { A: '1', B: '2' });
  const b = deploy('web:2', { B: '2', A: '1' });
  assert.deepEqual(fieldChanges(a, b), [
    { path: 'spec.template.spec.containers[main].image', before: 'web:1', after: 'web:2' },
  ]);
});

test('added and removed fields carry only the side that has them', () => {
  const changes = fieldChanges(cm('x', { a: '1' }), cm('x', { b: '2' }));
  assert.deepEqual(changes, [
    { path: 'data.a', before: '1' },
    { path: 'data.b', after: '2' },
  ]);
});

test('the diff of two revisions lists added, removed and changed objects and counts the unchanged', () => {
  const from = [deploy('web:1', {}), cm('old', { a: '1' }), cm('same', { a: '1' })];
  const to = [deploy('web:1', {}, 3), cm('new', { a: '1' }), cm('same', { a: '1' })];
  const d = diffObjects(from, to);
  assert.equal(d.unchanged, 1);
  assert.deepEqual(
    d.objects.map((o) => [o.key, o.change]),
    [
      ['ConfigMap shop/new', 'added'],
      ['ConfigMap shop/old', 'removed'],
      ['Deployment shop/web', 'changed'],
    ],
  );
  assert.deepEqual(d.objects[2]?.fields, [{ path: 'spec.replicas', before: 1, after: 3 }]);
  const text = diffText(d);
  assert.match(text, /^\+ ConfigMap shop\/new$/m);
  assert.match(text, /^~ Deployment shop\/web\n {4}- spec.replicas: 1\n {4}\+ spec.replicas: 3$/m);
  assert.match(text, /\(1 unchanged\)/);
});

test('long values are cut with a note of how much is left out', () => {
  assert.equal(showValue('x'.repeat(10), 4), 'xxxx… (6 more characters)');
  assert.equal(showValue({ a: 1 }), '{"a":1}');
});

test('one object old → new for `outpost diff`: values shown, Secret and env values only said to change', () => {
  const secret = (v: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'shop' },
    data: { password: v },
  });
  assert.deepEqual(
    objectChanges(secret('aHVudGVyMg=='), secret('c2VjcmV0')).map((f) => changeLine(f)),
    ['data.password: changed (value hidden)'],
  );
  const lines = objectChanges(deploy('web:1', { TOKEN: 'abc' }, 1), deploy('web:2', { TOKEN: 'xyz' }, 3)).map(
    (f) => changeLine(f),
  );
  assert.ok(lines.includes('spec.replicas: 1 → 3'), lines.join('\n'));
  assert.ok(lines.includes('spec.template.spec.containers[main].image: web:1 → web:2'), lines.join('\n'));
  assert.ok(
    lines.some((l) => /env\[TOKEN\]\.value: changed \(value hidden\)/.test(l)),
    lines.join('\n'),
  );
  assert.ok(!lines.some((l) => /abc|xyz/.test(l)));
});
