// Fuzzing the YAML reader (server/render/yaml.ts): hostile text only ever fails as a RenderError, never touches a
// prototype, and stays inside its time and heap budget; data keys survive as plain own keys.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RenderError } from '../../server/render/errors.ts';
import {
  parseDocument,
  parseDocuments,
  parseManifests,
  YAML_11_OPTIONS,
  YAML_OPTIONS,
} from '../../server/render/yaml.ts';
import { fuzz, guarded } from '../support/fuzz.ts';
import {
  hostileString,
  hostileTree,
  oddString,
  PROTO_KEYS,
  repeatCount,
  type Tree,
} from '../support/hostile.ts';

/** A YAML double-quoted scalar in plain ASCII: every other character as a \u escape (surrogates included). */
function quoted(s: string): string {
  return `"${s.replace(/[^\x20-\x7e]|["\\]/g, (c) =>
    c === '"' ? '\\"' : c === '\\' ? '\\\\' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )}"`;
}

function scalar(v: Tree): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isNaN(v) ? '.nan' : String(v);
  if (typeof v === 'string') return quoted(v);
  return String(v);
}

function flow(v: Tree): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .map((k) => `${quoted(k)}: ${flow(v[k] as Tree)}`)
      .join(', ')}}`;
  }
  return scalar(v);
}

/** Block style: what follows `key:` or `-`, nested collections on their own lines, indented. */
function block(v: Tree, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v) && v.length > 0)
    return `\n${v.map((x) => `${pad}-${block(x, indent + 2)}`).join('\n')}`;
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
    return `\n${Object.keys(v)
      .map((k) => `${pad}${quoted(k)}:${block(v[k] as Tree, indent + 2)}`)
      .join('\n')}`;
  }
  return ` ${flow(v)}`;
}

function hasKey(v: Tree, key: string): boolean {
  if (Array.isArray(v)) return v.some((x) => hasKey(x, key));
  if (v !== null && typeof v === 'object')
    return Object.keys(v).some((k) => k === key || hasKey(v[k] as Tree, key));
  return false;
}

/** Same data by own keys and values; every map and list must keep a standard prototype (or none). */
function assertSame(actual: unknown, expected: Tree, at = '$'): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${at}: expected a list`);
    assert.equal(Object.getPrototypeOf(actual), Array.prototype, `${at}: the list's prototype was changed`);
    assert.equal(actual.length, expected.length, `${at}: length`);
    expected.forEach((x, i) => {
      assertSame(actual[i], x, `${at}[${i}]`);
    });
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(
      actual !== null && typeof actual === 'object' && !Array.isArray(actual),
      `${at}: expected a map`,
    );
    const proto = Object.getPrototypeOf(actual);
    assert.ok(proto === Object.prototype || proto === null, `${at}: the map's prototype was changed`);
    assert.deepEqual(Object.keys(actual), Object.keys(expected), `${at}: keys`);
    for (const k of Object.keys(expected)) {
      assertSame((actual as Record<string, unknown>)[k], expected[k] as Tree, `${at}.${k}`);
    }
    return;
  }
  assert.ok(Object.is(actual, expected), `${at}: ${String(actual)} is not ${String(expected)}`);
}

// ---- hostile YAML text ----

/** Billion laughs: each level an anchored list of `width` aliases to the level below. */
const laughs = fc
  .tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 12 }), fc.boolean())
  .map(([levels, width, merge]) => {
    const lines = [`l0: &l0 ${merge ? '{k: lol}' : '[lol]'}`];
    for (let i = 1; i <= levels; i++) {
      const refs = Array.from({ length: width }, () => `*l${i - 1}`).join(', ');
      lines.push(merge ? `l${i}: &l${i} {<<: [${refs}], k${i}: x}` : `l${i}: &l${i} [${refs}]`);
    }
    return lines.join('\n');
  });

const nesting = fc
  .tuple(fc.integer({ min: 1, max: 2_000 }), fc.constantFrom('[', '{a: ', '- ', 'a:\n'))
  .map(([depth, open]) => {
    if (open === '[') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
    if (open === '{a: ') return `${'{a: '.repeat(depth)}x${'}'.repeat(depth)}`;
    if (open === '- ') return `${'- '.repeat(depth)}x`;
    return Array.from({ length: Math.min(depth, 300) }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
  });

const tags = fc.constantFrom(
  '!!binary "////"',
  '!!set {a, b}',
  '!!omap [{a: 1}, {a: 2}]',
  '!!pairs [{a: 1}]',
  '!!timestamp 2030-02-30',
  '!!int 0x',
  '!!float .nan',
  '!!js/function "function(){}"',
  '!foo bar',
  '!<tag:yaml.org,2002:str> x',
  '!!map [1]',
  '!!seq {a: 1}',
  '!!null x',
  '!!bool maybe',
);

const fragment: fc.Arbitrary<string> = fc.oneof(
  hostileTree.map((t) => flow(t)),
  hostileTree.map((t) => block(t, 0).replace(/^[\n ]/, '')),
  hostileTree.map((t) => JSON.stringify(t) ?? 'null'),
  laughs,
  nesting,
  tags.map((t) => `k: ${t}`),
  fc.constantFrom(
    'a: &a [*a]',
    'a: *nope',
    '<<: *nope',
    '<<: [1, 2]',
    '<<: {__proto__: {polluted: 1}}',
    '__proto__: {polluted: 1}',
    '? [a, b]\n: c',
    '? {a: 1}\n: c',
    '%YAML 1.1\n---\na: 1',
    '%TAG ! tag:x,2000:\n--- !y\na: 1',
    '%YAML 9.9\n---',
    'a: 1\na: 2',
    '\ufeffa: 1',
    'a: |\n  x\n b: 2',
    "'unterminated",
    '{a: 1',
    '- - - -',
    'kind: List\nitems: [1, null, {}, {__proto__: {polluted: 1}}]',
    'kind: List\nitems: {constructor: 1}',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {constructor: a, prototype: b, toString: c}',
  ),
  repeatCount(4_000).map((n) => '---\na: 1\n'.repeat(n)),
  repeatCount(10_000).map((n) => `a: [${'1,'.repeat(n)}1]`),
  fc
    .tuple(hostileString, repeatCount(100_000))
    .map(([s, n]) => `a: ${quoted(s.repeat(Math.min(n, Math.floor(200_000 / Math.max(1, s.length)))))}`),
  oddString(40),
  fc.constantFrom(...PROTO_KEYS).map((k) => `${k}:\n  ${k}:\n    polluted: yes`),
);

const hostileYaml = fc.array(fragment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('\n'));

fuzz(import.meta.url, {
  'the YAML reader fails only with a RenderError on hostile text, in every reading': {
    runs: 200,
    build: () => ({
      property: fc.property(hostileYaml, (text) =>
        guarded(text, [RenderError], () => {
          // Each reading separately: one refusing the text must not hide another crashing on it.
          for (const read of [
            () => parseDocuments(text, 'f.yaml'),
            () => parseDocuments(text, 'f.yaml', YAML_11_OPTIONS),
            () => parseManifests(text, 'f.yaml'),
            () => parseDocument(text, 'kustomization.yaml', YAML_11_OPTIONS),
          ]) {
            try {
              read();
            } catch (err) {
              if (!(err instanceof RenderError)) throw err;
            }
          }
        }),
      ),
    }),
  },

  'data keys come back as plain own keys, and a __proto__ key is refused with a RenderError': {
    runs: 300,
    build: () => ({
      property: fc.property(hostileTree, fc.boolean(), (tree, asBlock) => {
        const text = asBlock ? block(tree, 0).replace(/^[\n ]/, '') : flow(tree);
        const refused = hasKey(tree, '__proto__');
        return guarded({ tree, text }, refused ? [RenderError] : [], () => {
          const value = parseDocument(text, 'f.yaml', YAML_OPTIONS);
          assert.ok(!refused, `a "__proto__" key was accepted: ${JSON.stringify(value)?.slice(0, 200)}`);
          assertSame(value, tree);
        });
      }),
    }),
  },

  'deeply nested YAML up to the size limit is refused inside the heap budget': {
    runs: 6,
    heapMb: 256,
    build: () => ({
      property: fc.property(
        fc.constantFrom(300_000, 100_000, 10_000),
        fc.constantFrom('[', '{a: '),
        (depth, open) => {
          const text =
            open === '['
              ? `${'['.repeat(depth)}${']'.repeat(depth)}`
              : `${'{a: '.repeat(depth / 4)}x${'}'.repeat(depth / 4)}`;
          return guarded(`${open} × ${depth} (${text.length} bytes)`, [RenderError], () => {
            parseManifests(text, 'deep.yaml');
          });
        },
      ),
    }),
  },
});
