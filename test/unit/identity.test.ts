// Revision identity: the render inputs' digest ignores the order variables were gathered in, and changes with any
// input; the identity changes with the tree or the inputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inputsDigest, revisionIdentity } from '../../server/sync/identity.ts';

const base = { sourcePath: '.', vars: { A: '1', B: '2' }, strictVars: false };

test('the inputs digest does not depend on the order of the variables', () => {
  assert.equal(inputsDigest(base), inputsDigest({ ...base, vars: { B: '2', A: '1' } }));
});

test('the inputs digest changes with a variable, the path or strict mode', () => {
  const d = inputsDigest(base);
  assert.notEqual(inputsDigest({ ...base, vars: { A: '1', B: '3' } }), d);
  assert.notEqual(inputsDigest({ ...base, vars: { A: '1', B: '2', C: '' } }), d);
  assert.notEqual(inputsDigest({ ...base, sourcePath: 'sites/a' }), d);
  assert.notEqual(inputsDigest({ ...base, strictVars: true }), d);
});

test('the identity changes with the tree or the inputs', () => {
  const id = revisionIdentity('sha256:aa', 'sha256:bb');
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  assert.notEqual(revisionIdentity('sha256:ab', 'sha256:bb'), id);
  assert.notEqual(revisionIdentity('sha256:aa', 'sha256:bc'), id);
});
