// Both diffs (the plan's changed paths and the revision diff) read fields as own keys: a ConfigMap key named
// like an Object.prototype member is data, compared like any other.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedPaths } from '../../server/apply/diff.ts';
import { fieldChanges } from '../../server/sync/diff.ts';

const before = { data: { constructor: 'a', toString: 'b', valueOf: 'same' } };
const after = { data: { hasOwnProperty: 'c', valueOf: 'same' } };

test('the revision diff shows removed and added prototype-named keys with their values only', () => {
  assert.deepEqual(fieldChanges(before, after), [
    { path: 'data.constructor', before: 'a' },
    { path: 'data.hasOwnProperty', after: 'c' },
    { path: 'data.toString', before: 'b' },
  ]);
});

test('the plan names changed prototype-named keys as changed paths', () => {
  assert.deepEqual(changedPaths(before, after), ['data.constructor', 'data.hasOwnProperty', 'data.toString']);
});
