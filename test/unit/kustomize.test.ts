// The pieces of the kustomize renderer that are easy to get subtly wrong: hashes, images, selectors, JSON patch.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../server/cluster/types.ts';
import { render } from '../../server/render/index.ts';
import { contentHash, goJson } from '../../server/render/kustomize/hash.ts';
import { editImage, splitImage } from '../../server/render/kustomize/images.ts';
import { applyJsonPatch, parseOperations } from '../../server/render/kustomize/patches/json6902.ts';
import { parseLabelSelector } from '../../server/render/kustomize/select.ts';

const configMap = (data: Record<string, string> | undefined, name = 'any'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  ...(data ? { data } : {}),
});

describe('generator hash', () => {
  test('matches kubectl kustomize for a simple ConfigMap', () => {
    // `kubectl kustomize` (kustomize v5.5) names {a: "1"} cfg-h29d89cmmt.
    assert.equal(contentHash(configMap({ a: '1' })), 'h29d89cmmt');
  });

  test('escapes <, > and & as Go does before hashing', () => {
    assert.equal(goJson({ b: 'x<y&z>' }), '{"b":"x\\u003cy\\u0026z\\u003e"}');
    assert.equal(contentHash(configMap({ a: '1', b: 'x<y&z' })), 'm5h7c9h5m5');
  });

  test('matches kubectl kustomize for a Secret with wrapped base64 data', () => {
    const long = Buffer.from('v'.repeat(83)).toString('base64');
    const wrapped = `${long.slice(0, 70)}\n${long.slice(70)}\n`;
    const secret = { ...configMap(undefined), kind: 'Secret', type: 'Opaque', data: { k: wrapped } };
    assert.equal(contentHash(secret), '689fh95khh');
  });

  test('does not depend on the name (kustomize never finds it), so prefixes keep the hash', () => {
    assert.equal(contentHash(configMap({ a: '1' }, 'x')), contentHash(configMap({ a: '1' }, 'site-x')));
    assert.notEqual(contentHash(configMap({ a: '1' })), contentHash(configMap({ a: '2' })));
  });

  test('uses only the encoding alphabet that avoids words', () => {
    for (let i = 0; i < 200; i++)
      assert.match(contentHash(configMap({ i: String(i) })), /^[2456789bcdfghkmt]{10}$/);
  });
});

describe('images', () => {
  test('splitImage keeps a registry port out of the tag', () => {
    assert.deepEqual(splitImage('localhost:5000/app'), { name: 'localhost:5000/app', tag: '', digest: '' });
    assert.deepEqual(splitImage('r.io:443/a/b:1.2@sha256:ff'), {
      name: 'r.io:443/a/b',
      tag: '1.2',
      digest: 'sha256:ff',
    });
    assert.deepEqual(splitImage('busybox@sha256:ab'), { name: 'busybox', tag: '', digest: 'sha256:ab' });
  });

  test('editImage replaces tag and digest together, and leaves other images alone', () => {
    assert.equal(editImage('web:1@sha256:aa', { name: 'web', newTag: '2' }), 'web:2');
    assert.equal(editImage('web:1', { name: 'web', digest: 'sha256:bb' }), 'web@sha256:bb');
    assert.equal(editImage('web:1', { name: 'web', newName: 'm/web', tagSuffix: '-rc' }), 'm/web:1-rc');
    assert.equal(editImage('webhook:1', { name: 'web', newTag: '2' }), 'webhook:1');
  });
});

describe('label selectors', () => {
  const match = (sel: string, labels: Record<string, string>) =>
    parseLabelSelector(sel, 'k').every((req) => req(labels));

  test('support equality, inequality, sets and existence', () => {
    const labels = { app: 'web', tier: 'front' };
    assert.ok(match('app=web', labels));
    assert.ok(match('app==web,tier!=back', labels));
    assert.ok(match('tier in (front, middle)', labels));
    assert.ok(match('tier notin (back),!legacy,app', labels));
    assert.ok(!match('app=db', labels));
    assert.ok(!match('missing', labels));
    assert.ok(match('', labels));
  });

  test('an unparseable selector is an error naming the file', () => {
    assert.throws(() => parseLabelSelector('app=web,,x', 'k.yaml'), /k\.yaml: empty requirement/);
    assert.throws(() => parseLabelSelector('a b c', 'k.yaml'), /k\.yaml: cannot parse selector/);
  });
});

describe('JSON patch', () => {
  const doc = () => ({ a: { b: [1, 2, 3], 'x/y': 'slash', 't~': 'tilde' } });

  test('applies every operation in order, with escaped pointers', () => {
    const ops = parseOperations(
      [
        { op: 'add', path: '/a/b/1', value: 9 },
        { op: 'remove', path: '/a/b/0' },
        { op: 'replace', path: '/a/x~1y', value: 'SLASH' },
        { op: 'copy', from: '/a/t~0', path: '/c' },
        { op: 'move', from: '/a/b', path: '/d' },
        { op: 'add', path: '/d/-', value: 4 },
        { op: 'test', path: '/c', value: 'tilde' },
      ],
      'p',
    );
    assert.deepEqual(applyJsonPatch(doc(), ops, 'p'), {
      a: { 'x/y': 'SLASH', 't~': 'tilde' },
      c: 'tilde',
      d: [9, 2, 3, 4],
    });
  });

  test('a replace of a missing key in an existing map adds it, as kustomize does', () => {
    const out = applyJsonPatch(
      doc(),
      parseOperations([{ op: 'replace', path: '/a/nope', value: 1 }], 'p'),
      'p',
    );
    assert.equal((out as { a: Record<string, unknown> }).a.nope, 1);
  });

  test('fails on missing paths and failed tests, as kustomize does', () => {
    const run = (op: unknown) => applyJsonPatch(doc(), parseOperations([op], 'p'), 'p');
    assert.throws(
      () => run({ op: 'replace', path: '/no/such', value: 1 }),
      /path "\/no\/such" does not exist/,
    );
    assert.throws(() => run({ op: 'remove', path: '/zz' }), /cannot remove "\/zz"/);
    assert.throws(() => run({ op: 'add', path: '/no/such', value: 1 }), /path "\/no\/such" does not exist/);
    assert.throws(() => run({ op: 'test', path: '/a/x~1y', value: 'other' }), /test failed/);
    assert.throws(() => parseOperations([{ op: 'frob', path: '/' }], 'p'), /operation 1 needs "op"/);
  });
});

describe('render modes', () => {
  const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

  test('a folder without a kustomization builds the sub-folders that have one, as Flux does', () => {
    const files = {
      'apps/a.yaml': cm('a'),
      'apps/shop/kustomization.yaml': 'namePrefix: shop-\nresources: [b.yaml]\n',
      'apps/shop/b.yaml': cm('b'),
      'apps/z.yaml': cm('z'),
    };
    assert.deepEqual(
      render(files, 'apps').map((o) => o.metadata.name),
      ['a', 'shop-b', 'z'],
    );
  });

  test('output is in kustomize order: namespaces first, webhooks last', () => {
    const files = {
      'kustomization.yaml': 'resources: [all.yaml]\n',
      'all.yaml': [
        'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: hook}\n',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n',
        cm('settings'),
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      ].join('---\n'),
    };
    assert.deepEqual(
      render(files, '.').map((o) => o.kind),
      ['Namespace', 'ConfigMap', 'Deployment', 'ValidatingWebhookConfiguration'],
    );
  });

  test('manifests are read as kustomize reads them (go-yaml v3): old octal, but only true/false are booleans', () => {
    const [obj] = render(
      {
        'v.yaml': `${cm('v')}data:\n  mode: 0644\n  on: yes\n  y: n\n  when: 12:30\n  big: 1_000\n  q: "0644"\n`,
      },
      'v.yaml',
    );
    assert.deepEqual(obj?.data, { mode: 420, on: 'yes', y: 'n', when: '12:30', big: 1000, q: '0644' });
  });
});
