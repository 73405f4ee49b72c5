// Redaction: diffs say which Secret keys and env variables changed, never their values; the bundle's config
// shows no variable value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../server/cluster/types.ts';
import { diffObjects, diffText, hiddenChange } from '../../server/sync/diff.ts';
import { HIDDEN, hideValues, REDACTED, redact } from '../../server/sync/redact.ts';

const secret = (
  data: Record<string, string> | undefined,
  stringData?: Record<string, string>,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'shop' },
  ...(data ? { data } : {}),
  ...(stringData ? { stringData } : {}),
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

const app = (env: unknown[], init: unknown[] = []): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    template: {
      spec: { initContainers: init, containers: [{ name: 'main', image: 'web:1', env }] },
    },
  },
});

/** Every string a diff could print, to search for a value. */
const everything = (from: KubeObject[], to: KubeObject[]) => {
  const d = diffObjects(from, to);
  return { d, text: `${JSON.stringify(d)}\n${diffText(d)}` };
};

test('a Secret whose data and stringData change shows the keys as changed, added and removed, never a value', () => {
  const from = [
    secret({ password: b64('old-pass-11'), gone: b64('gone-value-22') }, { token: 'old-token-33' }),
  ];
  const to = [
    secret({ password: b64('new-pass-44'), fresh: b64('fresh-value-55') }, { token: 'new-token-66' }),
  ];
  const { d, text } = everything(from, to);
  for (const v of [
    'old-pass-11',
    'gone-value-22',
    'old-token-33',
    'new-pass-44',
    'fresh-value-55',
    'new-token-66',
  ])
    for (const shown of [v, b64(v)]) assert.ok(!text.includes(shown), `${shown} is shown`);
  const fields = d.objects[0]?.fields ?? [];
  assert.deepEqual(
    fields.map((f) => [f.path, hiddenChange(f)]),
    [
      ['data.fresh', 'added'],
      ['data.gone', 'removed'],
      ['data.password', 'changed'],
      ['stringData.token', 'changed'],
    ],
  );
  assert.match(diffText(d), /^ {4}~ data\.password: changed \(value hidden\)$/m);
  assert.match(diffText(d), /^ {4}~ data\.fresh: added \(value hidden\)$/m);
});

test('a Secret that gains its whole data map shows the key names only', () => {
  const { d, text } = everything(
    [secret(undefined)],
    [secret({ a: b64('value-a-77'), b: b64('value-b-88') })],
  );
  assert.ok(!text.includes(b64('value-a-77')) && !text.includes(b64('value-b-88')));
  assert.deepEqual(d.objects[0]?.fields, [{ path: 'data', after: { a: HIDDEN, b: HIDDEN }, hidden: true }]);
});

test('an unchanged Secret value is no change, and a changed one is found even when only its value differs', () => {
  assert.equal(diffObjects([secret({ a: b64('same') })], [secret({ a: b64('same') })]).unchanged, 1);
  assert.equal(diffObjects([secret({ a: b64('x1') })], [secret({ a: b64('x2') })]).objects.length, 1);
});

test('container env values are hidden in containers and init containers; names and valueFrom references stay', () => {
  const ref = { name: 'DB_USER', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } };
  const from = [
    app(
      [{ name: 'DB_PASS', value: 'env-pass-99' }, ref],
      [{ name: 'init', env: [{ name: 'K', value: 'init-1' }] }],
    ),
  ];
  const to = [
    app(
      [
        { name: 'DB_PASS', value: 'env-pass-00' },
        { ...ref, valueFrom: { secretKeyRef: { name: 'db2', key: 'user' } } },
      ],
      [{ name: 'init', env: [{ name: 'K', value: 'init-2' }] }],
    ),
  ];
  const { d, text } = everything(from, to);
  for (const v of ['env-pass-99', 'env-pass-00', 'init-1', 'init-2'])
    assert.ok(!text.includes(v), `${v} is shown`);
  assert.deepEqual(
    d.objects[0]?.fields.map((f) => [f.path, hiddenChange(f) ?? f.after]),
    [
      ['spec.template.spec.containers[main].env[DB_PASS].value', 'changed'],
      ['spec.template.spec.containers[main].env[DB_USER].valueFrom.secretKeyRef.name', 'db2'],
      ['spec.template.spec.initContainers[init].env[K].value', 'changed'],
    ],
  );
});

test('a container added whole shows its env names with the values hidden', () => {
  const { text } = everything([app([])], [app([{ name: 'API_KEY', value: 'added-key-12' }])]);
  assert.ok(!text.includes('added-key-12'));
  assert.match(text, /API_KEY/);
});

test('a Secret’s last-applied annotation is hidden; a ConfigMap’s data is shown', () => {
  const s = hideValues({
    ...secret({ a: b64('x') }),
    metadata: {
      name: 'db',
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"a":"eA=="}}',
        keep: 'me',
      },
    },
  });
  assert.deepEqual(s.metadata.annotations, {
    'kubectl.kubernetes.io/last-applied-configuration': HIDDEN,
    keep: 'me',
  });
  const cm: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c' },
    data: { a: 'plain' },
  };
  assert.deepEqual(hideValues(cm), cm);
});

test('data keys named __proto__ or constructor are plain keys of the hidden copy', () => {
  const o = JSON.parse(
    '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"p"},"data":{"__proto__":"eA==","constructor":"eQ=="}}',
  );
  const h = hideValues(o) as unknown as { data: Record<string, unknown> };
  assert.deepEqual(Object.keys(h.data), ['__proto__', 'constructor']);
  assert.equal(Object.getPrototypeOf(h.data), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('every substitution variable value in the configuration is redacted, whatever its name; names stay', () => {
  const out = redact({
    vars: {
      values: { SITE: 'berlin-7', LABEL: 'plain' },
      from: { namespace: 'ops', name: 'vars' },
      strict: false,
    },
  }) as { vars: { values: Record<string, string>; from: unknown; strict: boolean } };
  assert.deepEqual(out.vars.values, { SITE: REDACTED, LABEL: REDACTED });
  assert.deepEqual(out.vars.from, { namespace: 'ops', name: 'vars' });
  assert.equal(out.vars.strict, false);
});
