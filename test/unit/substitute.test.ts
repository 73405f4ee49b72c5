// ${VAR} substitution with Flux's semantics, node-fact variables and their precedence; property tests included.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests write ${VAR} expressions on purpose.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../server/cluster/types.ts';
import { RenderError, render } from '../../server/render/index.ts';
import { substitute } from '../../server/render/substitute.ts';
import { labelVarName, mergeVars, nodeFactsVars } from '../../server/render/vars.ts';
import { rng } from '../support/random.ts';

function randomText(next: () => number, alphabet: string, max = 20): string {
  const n = Math.floor(next() * max);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);

describe('substitute (text)', () => {
  const vars = { NAME: 'berlin', EMPTY: '', ZONE: 'eu-1a', PATH: '/a/b/c.txt', N: '3' };
  const cases: [string, string][] = [
    ['site ${NAME}', 'site berlin'],
    ['${NAME}-${ZONE}', 'berlin-eu-1a'],
    ['${MISSING}', ''],
    ['${MISSING:=fallback}', 'fallback'],
    ['${EMPTY:=fallback}', 'fallback'],
    ['${NAME:=fallback}', 'berlin'],
    ['${MISSING:-dash}', 'dash'],
    ['${MISSING=eq}', 'eq'],
    ['${MISSING:=${NAME}-x}', 'berlin-x'],
    ['$${NAME}', '${NAME}'],
    ['cost: $$5', 'cost: $5'],
    ['$NAME stays', '$NAME stays'],
    ['${#NAME}', '6'],
    ['${NAME^}', 'Berlin'],
    ['${NAME^^}', 'BERLIN'],
    ['${ZONE:3}', '1a'],
    ['${ZONE:0:2}', 'eu'],
    // Flux matches with Go's path.Match, where `*` never crosses a `/` (unlike bash).
    ['${PATH##*/}', 'a/b/c.txt'],
    ['${PATH#/a}', '/b/c.txt'],
    ['${PATH%.*}', '/a/b/c'],
    ['${PATH/a/x}', '/x/b/c.txt'],
    ['${PATH//\\//_}', '_a_b_c.txt'],
    ['${NAME/#ber/BER}', 'BERlin'],
  ];
  for (const [input, want] of cases) {
    test(`"${input}" becomes "${want}"`, () => {
      assert.equal(substitute(input, vars), want);
    });
  }

  test('strict mode fails on an unset variable, naming it', () => {
    assert.throws(() => substitute('${GHOST}', vars, true), /variable "GHOST" is not set \(strict mode\)/);
  });

  test('strict mode accepts an unset variable that has a default', () => {
    assert.equal(substitute('${GHOST:=x}', vars, true), 'x');
  });

  test('malformed expressions are errors, as in Flux', () => {
    for (const bad of ['${}', '${NAME', '${NAME-default}', '${ NAME}']) {
      assert.throws(() => substitute(bad, vars), RenderError, bad);
    }
  });

  test('a variable name Flux would refuse is refused', () => {
    assert.throws(() => substitute('x', { 'bad-name': 'v' }), /variable name "bad-name" is invalid/);
  });

  test('newlines are removed from values, as Flux does', () => {
    assert.equal(substitute('${V}', { V: 'a\nb' }), 'ab');
  });

  test('nothing is substituted when there are no variables at all', () => {
    assert.equal(substitute('${X} and ${Y:=z}', {}), '${X} and ${Y:=z}');
  });
});

describe('substitute (properties)', () => {
  test('text without "$" is unchanged', () => {
    for (const seed of SEEDS) {
      const next = rng(seed);
      const text = randomText(next, 'ab{}:=-_/ .#%\n\\', 40);
      assert.equal(substitute(text, { A: 'x' }, true), text, `seed ${seed}`);
    }
  });

  test('an escaped expression comes back as the literal text', () => {
    for (const seed of SEEDS) {
      const next = rng(seed);
      const name = `V${randomText(next, 'ABCXYZ_019', 8)}`;
      const around = randomText(next, 'abc -:', 10);
      const vars = { [name]: randomText(next, 'xyz', 5) };
      assert.equal(
        substitute(`${around}$\${${name}}${around}`, vars, true),
        `${around}\${${name}}${around}`,
        `seed ${seed}`,
      );
    }
  });

  test('a default applies exactly when the variable is unset or empty', () => {
    for (const seed of SEEDS) {
      const next = rng(seed);
      const state = Math.floor(next() * 3); // 0 unset, 1 empty, 2 set
      const value = `v${randomText(next, 'abc123', 6)}`;
      const fallback = randomText(next, 'xyz-._', 6);
      const vars: Record<string, string> = { OTHER: 'o' };
      if (state === 1) vars.X = '';
      if (state === 2) vars.X = value;
      const got = substitute(`\${X:=${fallback}}`, vars, true);
      assert.equal(got, state === 2 ? value : fallback, `seed ${seed}`);
    }
  });

  test('a set variable substitutes to its value wherever it appears', () => {
    for (const seed of SEEDS) {
      const next = rng(seed);
      const value = randomText(next, 'abc${}:', 8);
      const before = randomText(next, 'xy -', 6);
      const after = randomText(next, 'xy -', 6);
      assert.equal(
        substitute(`${before}\${X}${after}`, { X: value }),
        `${before}${value}${after}`,
        `seed ${seed}`,
      );
    }
  });
});

const deployment = (replicas: string, extra = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    site: \${SITE_ID}
spec:
  replicas: ${replicas}
  template:
    spec:
      containers:
        - name: web
          image: shop/web:\${TAG:=1.0}
          env:
            - {name: PORT, value: "\${PORT}"}
${extra}`;

describe('substitute (objects)', () => {
  test('render substitutes after kustomize, retyping unquoted scalars like Flux', () => {
    const files = {
      'kustomization.yaml': 'resources: [web.yaml]\nnamePrefix: ${SITE_ID}-\n',
      'web.yaml': deployment('${REPLICAS}'),
    };
    const [obj] = render(files, '.', { vars: { SITE_ID: 'berlin', REPLICAS: '3', PORT: '8080' } });
    const { spec } = obj as unknown as {
      spec: {
        replicas: number;
        template: { spec: { containers: { image: string; env: { value: string }[] }[] } };
      };
    };
    assert.equal(obj?.metadata.name, 'berlin-web');
    assert.equal(obj?.metadata.labels?.site, 'berlin');
    assert.equal(spec.replicas, 3, 'an unquoted ${REPLICAS} becomes a number');
    const [container] = spec.template.spec.containers;
    assert.equal(container?.env[0]?.value, '8080', 'a quoted "${PORT}" stays a string');
    assert.equal(container?.image, 'shop/web:1.0');
  });

  test('render leaves ${...} alone when no variables are given', () => {
    const [obj] = render({ 'web.yaml': deployment('1') }, 'web.yaml');
    assert.equal(obj?.metadata.labels?.site, '${SITE_ID}');
  });

  test('strict render names the variable and the object', () => {
    assert.throws(
      () => render({ 'web.yaml': deployment('1') }, 'web.yaml', { vars: { PORT: '1' }, strictVars: true }),
      /apps\/v1 Deployment web: variable "SITE_ID" is not set \(strict mode\)/,
    );
  });

  test('objects marked substitute: disabled are left alone', () => {
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'script', annotations: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } },
      data: { run: 'echo ${HOME}' },
    };
    assert.deepEqual(substitute([obj], { HOME: '/root' }, true), [obj]);
  });

  test('keys are substituted too, as Flux substitutes the whole text', () => {
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { '${K}': 'v' },
    };
    assert.deepEqual(substitute([obj], { K: 'key' })[0]?.data, { key: 'v' });
  });
});

describe('variables', () => {
  test('node facts give the documented names', () => {
    const vars = nodeFactsVars({
      nodeName: 'edge-17',
      siteId: 'berlin-01',
      nodeLabels: {
        'topology.kubernetes.io/zone': 'eu-central-1a',
        'topology.kubernetes.io/region': 'eu-central-1',
        'kubernetes.io/arch': 'arm64',
        'example.com/line': 'checkout',
      },
    });
    assert.equal(vars.NODE_NAME, 'edge-17');
    assert.equal(vars.SITE_ID, 'berlin-01');
    assert.equal(vars.NODE_ZONE, 'eu-central-1a');
    assert.equal(vars.NODE_REGION, 'eu-central-1');
    assert.equal(vars.NODE_ARCH, 'arm64');
    assert.equal(vars.NODE_LABEL_EXAMPLE_COM_LINE, 'checkout');
    assert.equal(vars.NODE_LABEL_TOPOLOGY_KUBERNETES_IO_ZONE, 'eu-central-1a');
  });

  test('the legacy zone label stands in when the topology one is missing', () => {
    const vars = nodeFactsVars({ nodeLabels: { 'failure-domain.beta.kubernetes.io/zone': 'z1' } });
    assert.equal(vars.NODE_ZONE, 'z1');
    assert.equal(vars.NODE_NAME, undefined);
  });

  test('label names that collide resolve to the key that sorts first, whatever the order', () => {
    assert.equal(labelVarName('a.b/c'), labelVarName('a-b/c'));
    const one = nodeFactsVars({ nodeLabels: { 'a.b/c': 'dot', 'a-b/c': 'dash' } });
    const two = nodeFactsVars({ nodeLabels: { 'a-b/c': 'dash', 'a.b/c': 'dot' } });
    assert.equal(one[labelVarName('a.b/c')], 'dash');
    assert.deepEqual(one, two);
  });

  test('config beats the ConfigMap, which beats node facts', () => {
    const facts = { SITE_ID: 'from-facts', NODE_NAME: 'n1', A: 'facts' };
    const configMap = { SITE_ID: 'from-configmap', A: 'cm' };
    const config = { SITE_ID: 'from-config' };
    assert.deepEqual(mergeVars(facts, configMap, config), {
      SITE_ID: 'from-config',
      NODE_NAME: 'n1',
      A: 'cm',
    });
    assert.deepEqual(mergeVars(undefined, null, { X: '1' }), { X: '1' });
  });
});
