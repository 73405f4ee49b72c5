// vars: kustomize's $(VAR) expansion rules.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expand } from '../../server/render/kustomize/refvars.ts';

describe('expand', () => {
  const values = new Map<string, string | number | boolean>([
    ['HOST', 'db'],
    ['PORT', 5432],
  ]);
  test('replaces known vars inside a string and counts them as used', () => {
    const used = new Set<string>();
    assert.equal(expand('--db=$(HOST):$(PORT)', values, used), '--db=db:5432');
    assert.deepEqual([...used].sort(), ['HOST', 'PORT']);
  });
  test('a string that is only $(VAR) takes the value with its type', () => {
    assert.equal(expand('$(PORT)', values, new Set()), 5432);
  });
  test('$$ is a literal $, unknown vars and an unclosed $( stay as written', () => {
    assert.equal(expand('$$(HOST) $(NOPE) $( $HOME $', values, new Set()), '$(HOST) $(NOPE) $( $HOME $');
  });
});
