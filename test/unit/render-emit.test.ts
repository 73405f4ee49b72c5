// The YAML writer: output reads back to the same values under go-yaml v3 (kustomize), YAML 1.1 (kubectl) and 1.2.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { toYaml } from '../../server/render/emit.ts';
import { YAML_11_OPTIONS, YAML_OPTIONS } from '../../server/render/yaml.ts';
import { rng } from '../support/random.ts';

// Pieces chosen to hit every quoting rule: YAML words, numbers, indicators, separators, odd characters.
const PIECES = [
  'a',
  'web',
  'yes',
  'No',
  'on',
  'y',
  'null',
  '~',
  'true',
  '0644',
  '0x1F',
  '1e3',
  '1.4.2',
  '12:30',
  '2024-01-01',
  '.inf',
  '-',
  '- ',
  ': ',
  ':',
  ' #',
  '#',
  '@',
  '*',
  '&',
  '!',
  '%',
  '|',
  '>',
  '{',
  '}',
  '[',
  ']',
  ',',
  '?',
  '"',
  "'",
  '\\',
  '\t',
  '\n',
  '\n\n',
  '  ',
  ' ',
  'ü',
  '東京',
  '😀',
  '\u2028',
  '\u0085',
  '\u007f',
  '\ufeff',
  '$' + '{X}',
  '<<',
  '=',
  '/etc',
  '-1',
  '+1',
  '.5',
  '0',
  'é',
];

function randomString(next: () => number): string {
  const n = Math.floor(next() * 5);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  if (depth > 0 && r < 0.2) {
    return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth - 1));
  }
  if (depth > 0 && r < 0.45) {
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 4); i > 0; i--) o[randomString(next)] = randomValue(next, depth - 1);
    return o;
  }
  if (r < 0.5) return Math.floor(next() * 2000) - 1000;
  if (r < 0.55) return next() * 100;
  if (r < 0.6) return next() < 0.5;
  if (r < 0.63) return null;
  return randomString(next);
}

const readBack = (text: string, opts: object) => parseAllDocuments(text, opts).map((d) => d.toJS());

describe('toYaml', () => {
  test('reads back to the same values with kustomize, YAML 1.1 and YAML 1.2 readers', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const next = rng(seed);
      const docs = Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: randomString(next) || 'x' },
        data: randomValue(next, 3),
      }));
      const text = toYaml(docs);
      assert.deepEqual(readBack(text, YAML_OPTIONS), docs, `seed ${seed} (go-yaml v3):\n${text}`);
      assert.deepEqual(readBack(text, YAML_11_OPTIONS), docs, `seed ${seed} (1.1):\n${text}`);
      assert.deepEqual(readBack(text, {}), docs, `seed ${seed} (1.2):\n${text}`);
    }
  });

  test('writes plain scalars where nothing is ambiguous and blocks for multi-line text', () => {
    const text = toYaml([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
        data: { a: 'web', b: 'on', c: 'x\ny\n' },
      },
    ]);
    assert.equal(
      text,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: web\n  b: "on"\n  c: |\n    x\n    y\n',
    );
  });

  test('puts apiVersion, kind and metadata (name, namespace) first', () => {
    const text = toYaml([
      { spec: {}, kind: 'K', metadata: { labels: { a: 'b' }, namespace: 'ns', name: 'x' }, apiVersion: 'v' },
    ]);
    assert.match(text, /^apiVersion: v\nkind: K\nmetadata:\n {2}name: x\n {2}namespace: ns\n {2}labels:/);
  });
});
