// Field paths of replacements and vars: kyaml's splitting, lookups, and the matcher's create/select rules.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RenderError } from '../../server/render/errors.ts';
import {
  lookup,
  matchFields,
  resolveScalar,
  splitFieldPath,
} from '../../server/render/kustomize/fieldpath.ts';

describe('splitFieldPath', () => {
  test('splits at dots, keeps [k=v] whole even with dots inside, unwraps a bracketed key', () => {
    assert.deepEqual(splitFieldPath('spec.containers.[name=a.b].image'), [
      'spec',
      'containers',
      '[name=a.b]',
      'image',
    ]);
    assert.deepEqual(splitFieldPath('.metadata.annotations.[cert-manager.io/inject-ca-from]'), [
      'metadata',
      'annotations',
      'cert-manager.io/inject-ca-from',
    ]);
    assert.deepEqual(splitFieldPath('data.a\\.b'), ['data', 'a.b']);
  });
});

describe('lookup', () => {
  const obj = {
    spec: {
      ports: [
        { name: 'http', port: 80 },
        { name: 'https', port: 443 },
      ],
    },
  };
  test('follows indexes and exact [k=v] matches', () => {
    assert.equal(lookup(obj, 'spec.ports.1.port', 't'), 443);
    assert.equal(lookup(obj, 'spec.ports.[name=http].port', 't'), 80);
    assert.equal(lookup(obj, 'spec.ports.[name=htt].port', 't'), undefined);
  });
  test('refuses a wildcard, as kustomize does for a source', () => {
    assert.throws(() => lookup(obj, 'spec.ports.*.port', 't'), RenderError);
  });
});

describe('matchFields', () => {
  test('[k=v] is an unanchored RE2 pattern; * visits every item', () => {
    const obj = { c: [{ name: 'app' }, { name: 'app-sidecar' }, { name: 'db' }] };
    assert.equal(matchFields(obj, 'c.[name=app].name', 'none', 't').length, 2);
    assert.equal(matchFields(obj, 'c.[name=^app$].name', 'none', 't').length, 1);
    assert.equal(matchFields(obj, 'c.*.name', 'none', 't').length, 3);
  });
  test('creates missing maps, list items and [k=v] elements only when asked', () => {
    const obj: Record<string, unknown> = { spec: {} };
    assert.equal(matchFields(obj, 'spec.env.[name=A].value', 'none', 't').length, 0);
    assert.deepEqual(obj, { spec: {} });
    const slots = matchFields(obj, 'spec.env.[name=A].value', 'scalar', 't');
    assert.equal(slots.length, 1);
    slots[0]?.set('x');
    assert.deepEqual(obj, { spec: { env: [{ name: 'A', value: 'x' }] } });
  });
  test('an element whose value does not match its own pattern is not created (no endless recursion)', () => {
    assert.throws(
      () => matchFields({ a: [] }, 'a.[name=(.*a){12}].x', 'scalar', 't'),
      /cannot create an element for "\[name=\(\.\*a\)\{12\}\]"/,
    );
    assert.throws(() => matchFields({ a: [] }, 'a.[n=007].x', 'scalar', 't'), /does not match itself/);
  });
  test('an index past the end fails, naming the count', () => {
    assert.throws(() => matchFields({ a: [1] }, 'a.3', 'none', 't'), /index 3 specified but only 1 elements/);
  });
  test('a pattern RE2 refuses fails as a RenderError, and __proto__ cannot be created', () => {
    assert.throws(() => matchFields({ a: [{ n: 'x' }] }, 'a.[n=(?=x)]', 'none', 't'), RenderError);
    assert.throws(() => matchFields({}, '__proto__.polluted', 'scalar', 't'), RenderError);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('resolveScalar', () => {
  test('reads a created field the way go-yaml resolves an untagged scalar', () => {
    assert.equal(resolveScalar('3'), 3);
    assert.equal(resolveScalar('true'), true);
    assert.equal(resolveScalar('~'), null);
    assert.equal(resolveScalar('on'), 'on');
    assert.equal(resolveScalar('1.5'), 1.5);
  });
});
