// Rendering: plain YAML trees, the kustomize `resources` subset, limits and named errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RenderError, render } from '../../server/render/index.ts';
import { parseManifests } from '../../server/render/yaml.ts';
import { treeDigest } from '../../server/sources/digest.ts';

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: x\n`;

test('render takes every YAML file below the path in a stable order', () => {
  const objs = render(
    { 'app/b.yaml': cm('b'), 'app/a.yml': `${cm('a')}---\n${cm('a2')}`, 'other/c.yaml': cm('c') },
    'app',
  );
  assert.deepEqual(
    objs.map((o) => o.metadata.name),
    ['a', 'a2', 'b'],
  );
});

test('render follows kustomization resources across folders', () => {
  const files = {
    'base/kustomization.yaml': 'resources: [cm.yaml]\n',
    'base/cm.yaml': cm('base'),
    'sites/a/kustomization.yaml': 'resources:\n  - ../../base\n  - extra.yaml\n',
    'sites/a/extra.yaml': cm('extra'),
  };
  assert.deepEqual(
    render(files, 'sites/a').map((o) => o.metadata.name),
    ['base', 'extra'],
  );
});

test('render refuses kustomize fields it does not support, naming field and file', () => {
  const files = { 'k/kustomization.yaml': 'resources: []\nhelmCharts: []\n' };
  assert.throws(() => render(files, 'k'), /k\/kustomization.yaml: field "helmCharts" is not supported/);
});

test('render refuses resources outside the revision and remote bases', () => {
  assert.throws(
    () => render({ 'k/kustomization.yaml': 'resources: [../../etc]\n' }, 'k'),
    /outside the revision/,
  );
  assert.throws(
    () => render({ 'k/kustomization.yaml': 'resources: [https://github.com/x/y]\n' }, 'k'),
    /remote resource .* not supported/,
  );
});

test('malformed YAML is reported with file and line', () => {
  assert.throws(
    () => parseManifests('apiVersion: v1\nkind: [ConfigMap\n', 'app/broken.yaml'),
    (err: unknown) =>
      err instanceof RenderError && /app\/broken.yaml: not valid YAML at line \d/.test(err.message),
  );
});

test('a billion-laughs document fails fast on the alias limit', () => {
  let doc = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 10; i++)
    doc += `a${i}: &a${i} [${Array(10)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  const started = Date.now();
  assert.throws(() => parseManifests(doc, 'lol.yaml'), /lol.yaml: .*alias/i);
  assert.ok(Date.now() - started < 2000);
});

test('a document that is not a mapping is refused with its position', () => {
  assert.throws(
    () => parseManifests(`${cm('a')}---\n- just\n- a list\n`, 'f.yaml'),
    /f.yaml \(document 2\): a manifest must be a mapping/,
  );
});

test('kind List is expanded into its items', () => {
  const objs = parseManifests(
    'apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n',
    'l.yaml',
  );
  assert.equal(objs[0]?.kind, 'ConfigMap');
});

test('the tree digest depends on content and paths, not on insertion order', () => {
  assert.equal(treeDigest({ a: '1', b: '2' }), treeDigest({ b: '2', a: '1' }));
  assert.notEqual(treeDigest({ a: '1' }), treeDigest({ a: '2' }));
  assert.notEqual(treeDigest({ ab: 'c' }), treeDigest({ a: 'bc' }));
});

test('the tree digest is the same for the same content read as text or as bytes', () => {
  assert.equal(treeDigest({ a: 'héllo\n' }), treeDigest({ a: Buffer.from('héllo\n', 'utf8') }));
  // Pinned: a revision stored before bytes were kept must keep its digest.
  assert.equal(
    treeDigest({ 'kustomization.yaml': 'resources: [a.yaml]\n' }),
    'sha256:16f6646f18b793490af1dd014dcd3d577c890f444a77b6f72395a47c3a148475',
  );
});
