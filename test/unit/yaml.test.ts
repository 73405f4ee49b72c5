// The YAML reader under generated input (fast-check, seeded): it throws only RenderError, never touches a
// shared prototype, and keeps keys named like Object.prototype members as plain data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { RenderError } from '../../server/render/errors.ts';
import { parseDocument, parseManifests, YAML_11_OPTIONS } from '../../server/render/yaml.ts';

const BASE_OBJECT = new Set(Object.getOwnPropertyNames(Object.prototype));
const KEYS = [
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__proto__',
  'a',
  'b',
  '<<',
];

function prototypesClean(): boolean {
  return Object.getOwnPropertyNames(Object.prototype).every((k) => BASE_OBJECT.has(k));
}

const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('map'), tie('list')),
  leaf: fc.oneof(
    fc.constantFrom(...KEYS),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.string({ maxLength: 8 }),
  ),
  map: fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 4 }),
  list: fc.array(tie('node'), { maxLength: 4 }),
}));

/** Text that may be YAML: a generated value written out, cut, bracketed or wrapped in anchors and aliases. */
const text = fc.oneof(
  value.node.map((v) => stringify(v)),
  fc.tuple(value.node, fc.nat()).map(([v, cut]) => {
    const s = stringify(v);
    return s.slice(0, cut % (s.length + 1));
  }),
  fc.nat({ max: 300 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.constantFrom(...KEYS).map((k) => `x: &k ${k}\ny:\n  *k : 1\n`),
  fc.string({ maxLength: 64 }),
);

test('the YAML reader throws only RenderError and never touches Object.prototype', () => {
  fc.assert(
    fc.property(text, (t) => {
      for (const read of [
        () => parseManifests(t, 'f.yaml'),
        () => parseDocument(t, 'k.yaml', YAML_11_OPTIONS),
      ]) {
        try {
          read();
        } catch (err) {
          if (!(err instanceof RenderError)) throw err;
        }
      }
      return prototypesClean() && ({} as Record<string, unknown>).polluted === undefined;
    }),
    { seed: 20261202, numRuns: 300 },
  );
});

test('a mapping without __proto__ reads back to the same value, prototype-named keys as own keys', () => {
  const plain = fc.dictionary(
    fc.constantFrom('constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'a'),
    fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
    { minKeys: 1, maxKeys: 6 },
  );
  fc.assert(
    fc.property(plain, (obj) => {
      const doc = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { ...obj } };
      const [read] = parseManifests(stringify(doc), 'f.yaml');
      assert.deepEqual(read, doc);
      for (const k of Object.keys(obj)) assert.ok(Object.hasOwn(read?.data as object, k), k);
    }),
    { seed: 20261202, numRuns: 200 },
  );
});
