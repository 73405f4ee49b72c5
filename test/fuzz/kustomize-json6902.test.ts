// Fuzzing JSON 6902 patches (server/render/kustomize/patches/json6902.ts): any operations on any object, with
// pointers through prototype keys, apply or fail with a RenderError, and never reach a prototype.
import fc from 'fast-check';
import { RenderError } from '../../server/render/errors.ts';
import { applyJsonPatch, parseOperations } from '../../server/render/kustomize/patches/json6902.ts';
import { fuzz, guarded } from '../support/fuzz.ts';
import { hostileObject, hostileString, hostileTree, ownObject, PROTO_KEYS } from '../support/hostile.ts';
import { assertPlainData, ownCopy } from '../support/plain.ts';

const token = fc.oneof(
  { weight: 5, arbitrary: fc.constant('__proto__') },
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'metadata',
      'name',
      'labels',
      'spec',
      'template',
      'containers',
      'image',
      'env',
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom('0', '1', '-', '01', '99999999999', '~0', '~1', '', 'a~1b', '~2') },
  { weight: 1, arbitrary: hostileString },
);

/** Where objects really are, so most pointers get as far as their last token. */
const PREFIXES = [
  '',
  '/metadata',
  '/metadata/labels',
  '/spec',
  '/spec/template/spec',
  '/spec/template/spec/containers/0',
];

const pointer = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(...PREFIXES), fc.array(token, { minLength: 1, maxLength: 2 }))
      .map(([prefix, ts]) => `${prefix}${ts.map((t) => `/${t}`).join('')}`),
  },
  { weight: 3, arbitrary: fc.array(token, { maxLength: 6 }).map((ts) => ts.map((t) => `/${t}`).join('')) },
  { weight: 1, arbitrary: hostileString },
);

/** Mostly well-formed operations (so the list gets applied), sometimes a bad op or a missing field. */
const operation = fc
  .tuple(
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom('add', 'add', 'replace', 'copy', 'move', 'remove', 'test') },
      { weight: 1, arbitrary: fc.constantFrom('bogus', '__proto__', 'constructor') },
    ),
    pointer,
    pointer,
    hostileTree,
    fc.integer({ min: 0, max: 19 }),
  )
  .map(([op, path, from, value, drop]) => {
    const pairs: [string, unknown][] = [
      ['op', op],
      ['path', path],
    ];
    if ((op === 'move' || op === 'copy') && drop !== 0) pairs.push(['from', from]);
    if ((op === 'add' || op === 'replace' || op === 'test') && drop !== 0) pairs.push(['value', value]);
    if (drop === 1) pairs.push(['__proto__', { op: 'add' }]);
    return ownObject(pairs);
  });

fuzz(import.meta.url, {
  'JSON 6902 patches fail only with a RenderError and leave every prototype alone': {
    runs: 1500,
    build: () => ({
      property: fc.property(hostileObject, fc.array(operation, { maxLength: 6 }), (doc, ops) =>
        guarded({ doc, ops }, [RenderError], () => {
          const parsed = parseOperations(ownCopy(ops), 'patch.yaml');
          const copy = ownCopy(doc);
          try {
            assertPlainData(applyJsonPatch(copy, parsed, 'patch.yaml'));
          } finally {
            // The operations before a failing one have already changed the copy: check it either way.
            assertPlainData(copy);
          }
        }),
      ),
    }),
  },
});
