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
  '\u0085',
  '\u007f',
  '\ufeff',
  '$' + '{X}',
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

/**
 * A literal block that starts with a space or a line break carries an indentation indicator; go-yaml (and so
 * kubectl) counts it from the dash in a sequence item, where the `yaml` package counts it otherwise. Such
 * strings stay out of sequences here: the output is kubectl's either way (see the table below).
 */
function randomValue(next: () => number, depth: number, inSequence = false): unknown {
  const r = next();
  if (depth > 0 && r < 0.2) {
    return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth - 1, true));
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
  const s = randomString(next);
  return inSequence && s.includes('\n') ? s.replace(/^[\s\u0085\u2028\u2029]+/u, '') : s;
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

  test('prints every scalar as kubectl kustomize does (measured with kubectl 1.32, kustomize 5.5)', () => {
    for (const [value, printed] of KUBECTL_SCALARS) {
      const text = toYaml([
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 't' }, data: { k000: value } },
      ]);
      assert.equal(
        text,
        `apiVersion: v1\ndata:\n  k000:${printed}\nkind: ConfigMap\nmetadata:\n  name: t\n`,
        JSON.stringify(value),
      );
    }
  });

  test("sorts keys in go-yaml's natural order and does not indent sequences under their key", () => {
    const keys = [
      'a10',
      'a9',
      'a09',
      'a010',
      'b',
      'B',
      '_x',
      '1',
      '10',
      '2',
      '-',
      'a-b',
      'a_b',
      'aB',
      'ab',
      'Ab',
      'é',
      'z1z',
      'z01z',
      'z1',
      'x0',
      'x00',
      'x01',
      'x1',
      'a.b',
      'a/b',
      'A',
      'Z',
      '0a',
      'a0',
      'aa',
    ];
    const data = Object.fromEntries(keys.map((k) => [k, 'v']));
    const text = toYaml([
      { kind: 'K', metadata: { name: 'm' }, apiVersion: 'v', data, spec: { l: [1, [2, { a: [] }]], e: {} } },
    ]);
    assert.equal(
      text,
      [
        'apiVersion: v',
        'data:',
        "  '-': v",
        '  _x: v',
        '  0a: v',
        '  "1": v',
        '  "2": v',
        '  "10": v',
        ...[
          'A',
          'Ab',
          'B',
          'Z',
          'a-b',
          'a.b',
          'a/b',
          'a_b',
          'a0',
          'a9',
          'a09',
          'a10',
          'a010',
          'aB',
          'aa',
          'ab',
        ].map((k) => `  ${k}: v`),
        ...['b', 'x0', 'x00', 'x1', 'x01', 'z1', 'z1z', 'z01z', 'é'].map((k) => `  ${k}: v`),
        'kind: K',
        'metadata:',
        '  name: m',
        'spec:',
        '  e: {}',
        '  l:',
        '  - 1',
        '  - - 2',
        '    - a: []',
        '',
      ].join('\n'),
    );
  });

  test('prints numbers as go-yaml v2 does after a JSON round trip', () => {
    const nums = [0, -1, 1.5, 1e6, 1234567.5, 0.0001, 0.00001, 1e20, 1e21, 2 ** 53 + 2, -2.5e-7, 3.25];
    const text = toYaml([{ nums }]);
    assert.equal(
      text,
      'nums:\n- 0\n- -1\n- 1.5\n- 1000000\n- 1.2345675e+06\n- 0.0001\n- 1e-05\n- 1e+20\n- 1e+21\n- 9007199254740994\n- -2.5e-07\n- 3.25\n',
    );
  });
});

/** [value, what kubectl printed after `k000:`], from a ConfigMap rendered by `kubectl kustomize`. */
const KUBECTL_SCALARS: [string, string][] = [
  ['true', ' "true"'],
  ['1.0', ' "1.0"'],
  ['0x1F', ' "0x1F"'],
  ['~', ' "~"'],
  ['', ' ""'],
  [': ', " ': '"],
  [' lead', " ' lead'"],
  ['trail ', " 'trail '"],
  ['héllo', ' héllo'],
  ['😀 emoji', ' "\\U0001F600 emoji"'],
  ['a b', " 'a     b'"],
  ['x y', ' x y'],
  ['tab\there', ' "tab\\there"'],
  ['2020-13-01', ' 2020-13-01'],
  ['2020-02-30', ' 2020-02-30'],
  ['2020-02-29', ' "2020-02-29"'],
  ['2021-02-29', ' 2021-02-29'],
  ['2020-1-1', ' "2020-1-1"'],
  ['2020-01-01T10:00:00Z', ' "2020-01-01T10:00:00Z"'],
  ['2020-01-01 10:00:00', ' "2020-01-01 10:00:00"'],
  ['2020-01-01t10:00:00+01:00', ' "2020-01-01t10:00:00+01:00"'],
  ['1_000', ' "1_000"'],
  ['0b101', ' "0b101"'],
  ['0o17', ' "0o17"'],
  ['089', ' "089"'],
  ['1e3', ' "1e3"'],
  ['1e999', ' 1e999'],
  ['.5', ' ".5"'],
  ['.5_0', ' ".5_0"'],
  ['.', ' .'],
  ['..', ' ..'],
  ['...', " '...'"],
  ['---', " '---'"],
  ['-', " '-'"],
  ['- a', " '- a'"],
  ['-a', ' -a'],
  ['?', " '?'"],
  ['? a', " '? a'"],
  ['?a', ' ?a'],
  [':a', ' :a'],
  ['a:', " 'a:'"],
  ['a:b', ' a:b'],
  ['a :b', ' a :b'],
  ['#a', " '#a'"],
  ['a#b', ' a#b'],
  ['a #b', " 'a #b'"],
  ['@a', " '@a'"],
  ['`a', " '`a'"],
  ['%a', " '%a'"],
  ['!a', " '!a'"],
  ['&a', " '&a'"],
  ['*a', " '*a'"],
  ['|a', " '|a'"],
  ['>a', " '>a'"],
  ['[a', " '[a'"],
  ['a]', ' a]'],
  ['{a}', " '{a}'"],
  ['a,b', ' a,b'],
  ['12:30', ' "12:30"'],
  ['1:70', ' 1:70'],
  ['+1', ' "+1"'],
  ['-1', ' "-1"'],
  ['+.5', ' "+.5"'],
  ['-.inf', ' "-.inf"'],
  ['.inf', ' ".inf"'],
  ['.Inf', ' ".Inf"'],
  ['Infinity', ' Infinity'],
  ['NaN', ' NaN'],
  ['nan', ' nan'],
  ['<<', ' <<'],
  ['=', ' ='],
  ['y', ' "y"'],
  ['Y', ' "Y"'],
  ['n', ' "n"'],
  ['N', ' "N"'],
  ['on', ' "on"'],
  ['off', ' "off"'],
  ['yes', ' "yes"'],
  ['No', ' "No"'],
  ['null', ' "null"'],
  ['Null', ' "Null"'],
  ['NULL', ' "NULL"'],
  ['0', ' "0"'],
  ['00', ' "00"'],
  ['-0', ' "-0"'],
  ['09', ' "09"'],
  ['0.', ' "0."'],
  ['1.', ' "1."'],
  ['1.e5', ' "1.e5"'],
  ['1e+5', ' "1e+5"'],
  ['12345678901234567890', ' "12345678901234567890"'],
  ['123456789012345678901234', ' "123456789012345678901234"'],
  ['0xFFFFFFFFFFFFFFFF', ' "0xFFFFFFFFFFFFFFFF"'],
  ['0xFFFFFFFFFFFFFFFFF', ' 0xFFFFFFFFFFFFFFFFF'],
  ['-0x8000000000000000', ' "-0x8000000000000000"'],
  ['-0x8000000000000001', ' -0x8000000000000001'],
  ['ab\n', ' |\n    ab'],
  ['ab\n\n', ' |+\n    ab\n'],
  ['ab', ' ab'],
  ['\nab', ' |2-\n\n    ab'],
  ['  ab\ncd', ' |2-\n      ab\n    cd'],
  [' ab\n', ' |2\n     ab'],
  ['ab \ncd', ' "ab \\ncd"'],
  ['ab\n cd', ' |-\n    ab\n     cd'],
  ['ab\r\ncd', ' "ab\\r\\ncd"'],
  ['a\\b', ' a\\b'],
  ['a"b', ' a"b'],
  ["a'b", " a'b"],
  ["'a", " '''a'"],
  ["a'", " a'"],
  ['"a', " '\"a'"],
  [
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    ' xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  ],
  [
    'word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word ',
    " 'word word word word word word word word word word word word word word word\n    word word word word word word word word word word word word word word word '",
  ],
  [
    'word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  ',
    " 'word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  '",
  ],
  [
    "it's it's it's it's it's it's it's it's it's it's it's it's it's it's it's it's it's it's it's it's it's it's it's it's it's :",
    " 'it''s it''s it''s it''s it''s it''s it''s it''s it''s it''s it''s it''s it''s\n    it''s it''s it''s it''s it''s it''s it''s it''s it''s it''s it''s it''s :'",
  ],
  [
    'it\'s a "quote" it\'s a "quote" it\'s a "quote" it\'s a "quote" it\'s a "quote" it\'s a "quote" it\'s a "quote" it\'s a "quote" it\'s a "quote" it\'s a "quote" \t',
    ' "it\'s a \\"quote\\" it\'s a \\"quote\\" it\'s a \\"quote\\" it\'s a \\"quote\\" it\'s\n    a \\"quote\\" it\'s a \\"quote\\" it\'s a \\"quote\\" it\'s a \\"quote\\" it\'s a \\"quote\\"\n    it\'s a \\"quote\\" \\t"',
  ],
  [
    'line1\nline2 line1\nline2 line1\nline2 x',
    ' |-\n    line1\n    line2 line1\n    line2 line1\n    line2 x',
  ],
  [
    'aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa\nshort\nbbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb \n',
    ' "aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa aaaaaaaaaa\n    aaaaaaaaaa\\nshort\\nbbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb\n    bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb bbbb\n    bbbb bbbb \\n"',
  ],
  ['a # b: c', " 'a # b: c'"],
  ['€', ' €'],
  ['東京', ' 東京'],
  ['a​b', ' a​b'],
  ['', ' '],
];
