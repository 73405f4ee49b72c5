// Hostile fleet content against the renderer: prototype keys, deep nesting, document and object bombs,
// backtracking regexes and self-including kustomizations all end in a named RenderError, never in the process.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { RenderError, render } from '../../server/render/index.ts';
import { substitute } from '../../server/render/substitute.ts';
import { mergeVars } from '../../server/render/vars.ts';
import {
  parseDocument,
  parseManifests,
  toYaml,
  YAML_11_OPTIONS,
  YAML_LIMITS,
} from '../../server/render/yaml.ts';

const cm = (name: string, data = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${data ? `data:\n${data}` : ''}`;

/** Nothing a render did may leave a property on the shared prototypes. */
function assertPrototypesClean(): void {
  assert.deepEqual(
    Object.getOwnPropertyNames(Object.prototype).filter((k) => !BASE_OBJECT.has(k)),
    [],
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(([] as unknown as Record<string, unknown>).polluted, undefined);
}
const BASE_OBJECT = new Set(Object.getOwnPropertyNames(Object.prototype));

function renderError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: Error) => {
    assert.ok(err instanceof RenderError, `a RenderError, not ${err.name}: ${err.message}`);
    assert.match(err.message, message);
    return true;
  });
}

describe('prototype keys', () => {
  afterEach(assertPrototypesClean);

  test('a __proto__ key in a manifest is refused at parse time, naming file, line and key', () => {
    const text = `${cm('x', '  a: b\n')}  __proto__:\n    polluted: yes\n`;
    renderError(() => render({ 'app/cm.yaml': text }, 'app'), /app\/cm\.yaml: the key "__proto__" at line 7/);
  });

  test('a __proto__ key in a strategic merge patch is refused before any merge', () => {
    const files = {
      'k/cm.yaml': cm('x', '  a: b\n'),
      'k/kustomization.yaml': [
        'resources: [cm.yaml]',
        'patches:',
        '- patch: |-',
        '    apiVersion: v1',
        '    kind: ConfigMap',
        '    metadata:',
        '      name: x',
        '    data:',
        '      "__proto__":',
        '        execArgv: ["--import=data:text/javascript,process.exit(9)"]',
        '',
      ].join('\n'),
    };
    renderError(() => render(files, 'k'), /the key "__proto__" at line 6/);
  });

  test('a __proto__ key is refused in flow style, quoted, aliased, in a kustomization and in a later document', () => {
    renderError(() => parseManifests(`${cm('a')}---\n{"__proto__": {"x": 1}}\n`, 'f.yaml'), /document 2/);
    renderError(() => parseDocument("resources: []\n'__proto__': {}\n", 'kustomization.yaml'), /line 2/);
    renderError(() => parseManifests('a:\n  - b: {__proto__: 1}\n', 'f.yaml'), /"__proto__" at line 2/);
    renderError(() => parseManifests('a: &k __proto__\nb:\n  *k : {polluted: 1}\n', 'f.yaml'), /at line 3/);
  });

  test('a JSON 6902 patch cannot write through __proto__', () => {
    const files = {
      'k/cm.yaml': cm('x', '  a: b\n'),
      'k/kustomization.yaml': [
        'resources: [cm.yaml]',
        'patches:',
        '- target: {kind: ConfigMap}',
        '  patch: |-',
        '    - op: add',
        '      path: /data/__proto__',
        '      value: {polluted: yes}',
        '',
      ].join('\n'),
    };
    renderError(() => render(files, 'k'), /"__proto__" is not allowed/);
  });

  test('a generated key __proto__ is refused; constructor and toString are plain keys', () => {
    const generator = (lits: string[]) => ({
      'k/kustomization.yaml': `configMapGenerator:\n- name: g\n  literals: [${lits.join(', ')}]\n`,
    });
    renderError(() => render(generator(['__proto__=x']), 'k'), /"__proto__" is not allowed/);
    const [obj] = render(generator(['constructor=a', 'toString=b', 'hasOwnProperty=c']), 'k');
    assert.deepEqual(obj?.data, { constructor: 'a', hasOwnProperty: 'c', toString: 'b' });
  });

  test('variables named like Object.prototype members are unset unless they are set', () => {
    const [obj] = render(
      { 'a.yaml': cm('x', `  c: "\${constructor:=none}"\n  t: "[\${toString}]"\n`) },
      'a.yaml',
      {
        vars: { OTHER: '1' },
      },
    );
    assert.deepEqual(obj?.data, { c: 'none', t: '[]' });
    assert.deepEqual(mergeVars({ constructor: 'a' }, { toString: 'b' }), { constructor: 'a', toString: 'b' });
  });

  test('a substituted key or value cannot bring a __proto__ key in', () => {
    const obj = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
      data: { [['$', '{K}'].join('')]: 'v' },
    };
    assert.throws(() => substitute([obj], { K: '__proto__' }, false, new Set()), RenderError);
    const files = { 'a.yaml': cm('x', `  v: \${V}\n`) };
    renderError(() => render(files, 'a.yaml', { vars: { V: '{__proto__: {a: 1}}' } }), /"__proto__"/);
  });
});

describe('nesting and size', () => {
  test('deeply nested flow collections are refused at the limit, naming file and line', () => {
    const text = `a: 1\nb: ${'['.repeat(1000)}${']'.repeat(1000)}\n`;
    renderError(
      () => parseManifests(text, 'deep.yaml'),
      /deep\.yaml: nested deeper than 100 levels at line 2/,
    );
  });

  test('deeply nested block sequences on one line are refused too', () => {
    renderError(() => parseManifests(`${'- '.repeat(500)}x\n`, 'deep.yaml'), /nested deeper than 100 levels/);
  });

  test('a 1 MB file of nested brackets fails fast without building the nodes', () => {
    const half = (YAML_LIMITS.maxBytes - 16) / 2;
    const text = `${'['.repeat(half)}${']'.repeat(half)}`;
    const before = process.memoryUsage().heapUsed;
    renderError(() => parseManifests(text, 'bomb.yaml'), /nested deeper than 100 levels at line 1/);
    assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024, 'under 64 MB more heap');
  });

  test('nesting at the limit still parses', () => {
    const depth = YAML_LIMITS.maxDepth;
    const value = parseDocument(`${'['.repeat(depth)}${']'.repeat(depth)}`, 'ok.yaml');
    assert.ok(Array.isArray(value));
  });
});

describe('regular expressions from fleet content', () => {
  const deployment = (name: string, image: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: "${image}"\n`;
  const patched = (target: string) => ({
    'k/d.yaml': deployment(`${'a'.repeat(32)}x`, 'web:1'),
    'k/kustomization.yaml': [
      'resources: [d.yaml]',
      'patches:',
      `- target: {kind: Deployment, name: '${target}'}`,
      '  patch: |-',
      '    - {op: add, path: /metadata/labels, value: {patched: "yes"}}',
      '',
    ].join('\n'),
  });

  test('a backtracking target name runs in linear time and selects nothing it should not', () => {
    const [obj] = render(patched('(a+)+'), 'k');
    assert.equal(obj?.metadata.labels, undefined);
  });

  test('a target in RE2 syntax matches the whole name, as kustomize anchors it', () => {
    assert.deepEqual(render(patched('a{32}x'), 'k')[0]?.metadata.labels, { patched: 'yes' });
    assert.equal(render(patched('a{32}'), 'k')[0]?.metadata.labels, undefined);
  });

  test('a target with a backreference or lookahead is refused as kustomize refuses it', () => {
    renderError(() => render(patched('(a)\\1'), 'k'), /target "\(a\)\\1" is not a valid regular expression/);
    renderError(() => render(patched('(?=a)a+'), 'k'), /not a valid regular expression/);
  });

  test('a backtracking image name runs in linear time and leaves other images alone', () => {
    const files = {
      'k/d.yaml': deployment('web', `${'a'.repeat(32)}!`),
      'k/kustomization.yaml': 'resources: [d.yaml]\nimages:\n- name: (a+)+\n  newTag: "2"\n',
    };
    const [obj] = render(files, 'k');
    assert.match(JSON.stringify(obj), new RegExp(`"image":"${'a'.repeat(32)}!"`));
  });
});

test('writing a value of 200,000 line breaks takes linear time', () => {
  const value = `${'\n'.repeat(200_000)}x`;
  const text = toYaml([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { v: value } }]);
  assert.deepEqual(parseManifests(text, 'out.yaml')[0]?.data, { v: value });
});

describe('object counts and self-inclusion', () => {
  const docs = (file: number, n: number) =>
    Array.from(
      { length: n },
      (_, i) => `kind: ConfigMap\napiVersion: v1\nmetadata: {name: c${file}-${i}}\n`,
    ).join('---\n');

  test('a plain folder of 100 files of 2,000 documents stops at the 10,000-object cap', () => {
    const files: Record<string, string> = {};
    for (let f = 0; f < 100; f++) files[`app/f${String(f).padStart(3, '0')}.yaml`] = docs(f, 2_000);
    renderError(() => render(files, 'app'), /^app: more than 10000 objects$/);
  });

  test('a kind: List cannot expand past the cap inside one document', () => {
    const items = Array.from(
      { length: 10_001 },
      (_, i) => `- {apiVersion: v1, kind: ConfigMap, metadata: {name: c${i}}}`,
    );
    const text = `apiVersion: v1\nkind: List\nitems:\n${items.join('\n')}\n`;
    renderError(() => render({ 'list.yaml': text }, 'list.yaml'), /list\.yaml: more than 10000 objects/);
  });

  test('resources: [.] is refused as kustomize refuses it, as a cycle, not read as NaN', () => {
    renderError(
      () => render({ 'k/kustomization.yaml': 'resources:\n- .\n' }, 'k'),
      /^k\/kustomization\.yaml: resource "\." includes k again \(a cycle\)$/,
    );
    renderError(
      () => render({ 'kustomization.yaml': 'resources: [./]\n' }, '.'),
      /includes \. again \(a cycle\)/,
    );
  });

  test('a base that reaches back to a folder containing the one being built is a cycle, as in kustomize', () => {
    const files = {
      'a/kustomization.yaml': 'resources: [b]\n',
      'a/b/kustomization.yaml': 'resources: [..]\n',
      'a/b/cm.yaml': cm('x'),
    };
    renderError(() => render(files, 'a/b'), /resource "\.\." includes a, which contains a\/b \(a cycle\)/);
  });

  test('kustomization scalars like "." and "._" stay strings, as go-yaml v2 reads them', () => {
    assert.deepEqual(parseDocument('[., ._, .5, 1., 1_0.5]', 'k.yaml', YAML_11_OPTIONS), [
      '.',
      '._',
      0.5,
      1,
      10.5,
    ]);
  });
});

test('a file a kustomization names is looked up as an own entry: toString, constructor or __proto__ are never found', () => {
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n';
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    for (const [field, what] of [
      [`resources: ["${name}"]`, 'resource'],
      [`resources: [a.yaml]\npatches: [{path: "${name}"}]`, 'patch'],
      [`configMapGenerator: [{name: x, envs: ["${name}"]}]`, 'env file'],
      [`configMapGenerator: [{name: x, files: ["${name}"]}]`, 'file'],
    ] as const) {
      assert.throws(
        () => render({ 'a.yaml': cm, 'kustomization.yaml': `${field}\n` }, ''),
        (err: unknown) => err instanceof RenderError && err.message.includes(`${what} "${name}" not found`),
        `${field}`,
      );
    }
  }
  assert.throws(() => render({ 'a.yaml': cm }, 'constructor'), RenderError);
});
