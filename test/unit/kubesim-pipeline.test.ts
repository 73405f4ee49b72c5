// kubesim's request bodies: an apply body is YAML, of which JSON text is one spelling; both give the same object.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../server/kubesim/errors.ts';
import { parseBody } from '../../server/kubesim/pipeline.ts';

const YAML = 'application/apply-patch+yaml';

test('an apply body reads the same as JSON text, YAML block style and YAML flow style', () => {
  const want = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } };
  assert.deepEqual(parseBody(JSON.stringify(want), YAML), want);
  assert.deepEqual(
    parseBody(' \n{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}', YAML),
    want,
  );
  assert.deepEqual(
    parseBody('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n', YAML),
    want,
  );
  // Flow style that is not JSON (unquoted keys) falls through to the YAML parser.
  assert.deepEqual(
    parseBody('{apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {k: v}}', YAML),
    want,
  );
});

test('a body that is neither says so as the API server does', () => {
  assert.throws(
    () => parseBody('{"a": [1, 2}', YAML),
    (e: unknown) => e instanceof ApiError && e.code === 400 && /error decoding YAML/.test(e.message),
  );
  assert.throws(
    () => parseBody('{"a": ', 'application/json'),
    (e: unknown) => e instanceof ApiError && e.code === 400 && /json parse error/.test(e.message),
  );
});
