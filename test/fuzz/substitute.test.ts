// Fuzzing `${VAR}` substitution (server/render/substitute.ts): any template, variables and objects substitute or
// fail with a RenderError, quickly, and never reach a prototype; text without `$` is left exactly as it is.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these properties write ${VAR} expressions on purpose.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RenderError } from '../../server/render/errors.ts';
import { substitute, substituteText } from '../../server/render/substitute.ts';
import { fuzz, guarded } from '../support/fuzz.ts';
import { hostileObject, hostileString, ownObject, PROTO_KEYS } from '../support/hostile.ts';
import { assertPlainData, ownCopy } from '../support/plain.ts';

const varName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('A', 'HOST', 'v_1', '_') },
  { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom('', '1x', 'a-b', 'é', '${A}') },
);

/** A glob for `#`, `%` and `/` operators: mostly stars and letters, the shapes that make matching slow. */
const glob = fc.oneof(
  fc.integer({ min: 1, max: 10 }).map((k) => `${'*a'.repeat(k)}*b`),
  fc
    .array(fc.constantFrom('*', 'a', '?', '[a-z]', '\\*', '/', '[', ']'), { maxLength: 16 })
    .map((g) => g.join('')),
  hostileString,
);

const OPS = [
  ':=',
  ':-',
  '=',
  '-',
  ':+',
  ':?',
  '#',
  '##',
  '%',
  '%%',
  '/',
  '//',
  '/#',
  '/%',
  ':',
  ',',
  ',,',
  '^',
  '^^',
];

const expression: fc.Arbitrary<string> = fc.oneof(
  // The glob operators on the one variable always set (A), where a slow match would show.
  fc.tuple(fc.constantFrom('#', '##', '%', '%%'), glob).map(([op, g]) => `\${A${op}${g}}`),
  fc.tuple(varName).map(([v]) => `\${${v}}`),
  fc
    .tuple(varName, fc.constantFrom(...OPS), glob, fc.option(glob, { nil: undefined }))
    .map(([v, op, a, b]) => `\${${v}${op}${a}${b === undefined ? '' : `/${b}`}}`),
  fc.tuple(varName).map(([v]) => `\${#${v}}`),
  fc.constantFrom('${', '${}', '$${A}', '$$', '$A', '${A', '${A:=${B:=${C}}}', '${A:1:2}', '${A:-1}', '}'),
  fc.nat(1000).map((n) => `\${A:${n - 500}:${n}}`),
  hostileString,
);

const template = fc.array(expression, { maxLength: 5 }).map((parts) => parts.join(''));

/** Variables: mostly ordinary values, sometimes long runs of one letter (what backtracking globs choke on). */
const value = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 60 }).map((n) => 'a'.repeat(n)) },
);
const vars = fc
  .tuple(value, fc.uniqueArray(fc.tuple(varName, value), { maxLength: 3, selector: ([k]) => k }))
  .map(([a, pairs]) => ownObject([['A', a], ...pairs.filter(([k]) => k !== 'A')]) as Record<string, string>);

fuzz(import.meta.url, {
  '${VAR} substitution of any template fails only with a RenderError, and quickly': {
    runs: 600,
    build: () => ({
      property: fc.property(template, vars, fc.boolean(), (text, v, strict) =>
        guarded({ text, vars: v, strict }, [RenderError], () => {
          const out = substituteText(text, v, strict);
          assert.equal(typeof out, 'string');
          if (!text.includes('$')) assert.equal(out, text);
        }),
      ),
    }),
  },

  'substituting objects keeps them plain data and leaves every prototype alone': {
    runs: 300,
    build: () => ({
      property: fc.property(
        fc.array(hostileObject, { minLength: 1, maxLength: 3 }),
        vars,
        template,
        (objects, v, text) =>
          guarded({ objects, vars: v, text }, [RenderError], () => {
            // A template in a label value and in a key, as manifests carry them.
            const input = ownCopy(objects);
            for (const o of input) {
              (o.metadata as Record<string, unknown>).annotations = ownObject([[text, text]]);
            }
            const out = substitute(input as never, v, false, new Set());
            assertPlainData(out);
          }),
      ),
    }),
  },
});
