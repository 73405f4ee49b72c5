// Arbitraries for the fuzz tier, biased toward what an attacker sends: prototype keys, regex-looking names,
// `../` paths, NUL and non-UTF-8 bytes, deep nesting and huge repeat counts.
import fc from 'fast-check';

/** Keys that reach the prototype chain, or look like they might, when code treats an object as a map. */
export const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'isPrototypeOf',
  'polluted',
] as const;

/** Names that are regular expressions with catastrophic backtracking, or merely look like regexes. */
export const REGEX_NAMES = [
  '(a+)+$',
  '(a|aa)+$',
  '(a*)*b',
  '([a-z]+)*!',
  '(.*a){12}',
  '.*',
  '[',
  '(?<x>a)\\k<x>',
  '\\',
  'a{1000000}',
  '^$',
  '*',
] as const;

/** A long run of one letter and a mismatch at the end: what a backtracking regex chokes on. */
export const LONG_RUN = fc.integer({ min: 20, max: 40 }).map((n) => `${'a'.repeat(n)}!`);

export const PATHS = [
  '../',
  '..',
  '../../etc/passwd',
  '/etc/passwd',
  '.',
  './',
  'a/../../b',
  '//',
  'C:\\x',
  'a\u0000b',
  '~',
  '%2e%2e/',
] as const;

/** Odd characters: NUL, controls, a lone surrogate, a BOM, bidi controls, quotes, YAML and shell syntax. */
export const ODD_CHARS = [
  '\u0000',
  '\u0001',
  '\r',
  '\n',
  '\t',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\u202e',
  '"',
  "'",
  '\\',
  '$',
  '{',
  '}',
  ':',
  '#',
  '&',
  '*',
  '!',
  '%',
  '|',
  '>',
  '-',
  '=',
  ';',
  ',',
  '/',
  '~',
  ' ',
] as const;

/** A short string of ordinary and odd characters. */
export const oddString = (maxLength = 12) =>
  fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'x', '0', '9') },
        fc.constantFrom(...ODD_CHARS),
      ),
      {
        maxLength,
      },
    )
    .map((cs) => cs.join(''));

/** A string an attacker would choose: prototype keys, regexes, paths, odd characters, long runs. */
export const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 2, arbitrary: fc.constantFrom(...REGEX_NAMES) },
  { weight: 2, arbitrary: fc.constantFrom(...PATHS) },
  { weight: 3, arbitrary: oddString() },
  { weight: 1, arbitrary: LONG_RUN },
  { weight: 2, arbitrary: fc.string({ maxLength: 10, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'x'.repeat(300)) },
);

/** A map key: mostly prototype keys and plain names, so objects keep colliding with the prototype chain. */
export const hostileKey = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'name', 'data', 'spec', 'metadata', 'items', '$patch') },
  { weight: 1, arbitrary: hostileString },
);

/** A JSON-like value whose maps hold hostile keys as own properties (as a YAML parser produces them). */
export type Tree = null | boolean | number | string | Tree[] | { [k: string]: Tree };

/** An object whose own keys are exactly `pairs` (defineProperty: `__proto__` becomes a key, not the prototype). */
export function ownObject(pairs: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of pairs) {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return o;
}

export const hostileTree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1, 1e308, Number.NaN),
    hostileString,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc
      .uniqueArray(fc.tuple(hostileKey, tie('tree')), { maxLength: 5, selector: ([k]) => k })
      .map((pairs) => ownObject(pairs) as Tree),
  ),
})).tree;

/** A count that is mostly small and sometimes huge (the repeat an attacker would pick). */
export const repeatCount = (huge: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 20 }) },
    { weight: 1, arbitrary: fc.integer({ min: huge / 2, max: huge }) },
  );

/** Bytes that are not UTF-8 (lone continuation bytes, overlong forms, a cut sequence). */
export const NON_UTF8 = [
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0x80]),
  Buffer.from([0xed, 0xa0, 0x80]),
];

const KINDS: [string, string][] = [
  ['apps/v1', 'Deployment'],
  ['v1', 'ConfigMap'],
  ['v1', 'Service'],
  ['v1', 'Pod'],
  ['example.com/v1', 'Widget'],
  ['v1', '__proto__'],
];

/** A name: mostly ordinary, sometimes a long run (backtracking bait) or a hostile string. */
export const objectName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('web', 'db', 'settings', 'aaaa') },
  { weight: 1, arbitrary: LONG_RUN.map((s) => s.replace('!', 'b')) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 1, arbitrary: hostileString },
);

/** Extra own keys for a map, prototype keys first among them. */
const extras = fc.uniqueArray(fc.tuple(hostileKey, hostileTree), { maxLength: 3, selector: ([k]) => k });

const container = fc
  .tuple(objectName, hostileString, fc.array(fc.tuple(hostileKey, hostileString), { maxLength: 3 }), extras)
  .map(([name, image, env, more]) =>
    ownObject([
      ['name', name],
      ['image', image],
      [
        'env',
        env.map(([n, value]) =>
          ownObject([
            ['name', n],
            ['value', value],
          ]),
        ),
      ],
      ...more.filter(([k]) => !['name', 'image', 'env'].includes(k)),
    ]),
  );

/** A Kubernetes-looking object (known kinds, containers, labels) with hostile keys and values mixed in. */
export const hostileObject = fc
  .tuple(
    fc.constantFrom(...KINDS),
    objectName,
    fc.option(fc.constantFrom('shop', '', '__proto__', 'default'), { nil: undefined }),
    fc.uniqueArray(fc.tuple(hostileKey, hostileString), { maxLength: 3, selector: ([k]) => k }),
    fc.array(container, { maxLength: 3 }),
    extras,
    extras,
    fc.option(fc.constantFrom('merge', 'replace', 'delete', 'bogus'), { nil: undefined }),
  )
  .map(([[apiVersion, kind], name, namespace, labels, containers, specExtra, topExtra, directive]) => {
    const metadata: [string, unknown][] = [
      ['name', name],
      ['labels', ownObject(labels)],
    ];
    if (namespace !== undefined) metadata.push(['namespace', namespace]);
    const podSpec = ownObject([
      ['containers', containers],
      ...(directive ? [['$patch', directive] as [string, unknown]] : []),
    ]);
    const spec = ownObject([
      ['template', ownObject([['spec', podSpec]])],
      ...specExtra.filter(([k]) => k !== 'template'),
    ]);
    return ownObject([
      ['apiVersion', apiVersion],
      ['kind', kind],
      ['metadata', ownObject(metadata)],
      ['spec', spec],
      ...topExtra.filter(([k]) => !['apiVersion', 'kind', 'metadata', 'spec'].includes(k)),
    ]);
  });
