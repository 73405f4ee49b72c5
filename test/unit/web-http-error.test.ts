// The console's one HttpError and the one mapping from a domain error's kind to an HTTP status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccessError } from '../../server/auth/users.ts';
import { ClusterError } from '../../server/cluster/client.ts';
import { StoreFullError } from '../../server/db/open.ts';
import { WorkloadError } from '../../server/sync/workloads.ts';
import { HttpError, httpStatus } from '../../server/web/http-error.ts';

test('httpStatus answers an HttpError with its own status', () => {
  assert.equal(httpStatus(new HttpError(409, 'taken')), 409);
});

test('httpStatus maps a domain error by its kind, not by a status it does not carry', () => {
  assert.equal(httpStatus(new AccessError('password-short', { n: 12 })), 400);
  assert.equal(httpStatus(new AccessError('no-user', { name: 'x' }, 'not-found')), 404);
  assert.equal(httpStatus(new AccessError('last-admin-remove', {}, 'conflict')), 409);
  assert.equal(httpStatus(new WorkloadError('not managed', 'forbidden')), 403);
  assert.equal(httpStatus(new StoreFullError('disk full')), 503);
  assert.equal('status' in new AccessError('bad-expiry'), false);
});

test('httpStatus keeps a body parser refusal marked exposable and answers 500 for anything else', () => {
  const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, expose: true });
  assert.equal(httpStatus(tooLarge), 413);
  // A cluster API answer passed up is not the browser's status: a 404 from the cluster is our failure.
  assert.equal(httpStatus(new ClusterError('gone', 404, 'NotFound')), 500);
  assert.equal(httpStatus(new ClusterError('unreachable', 0, 'Unreachable')), 500);
  assert.equal(httpStatus(new Error('boom')), 500);
  assert.equal(httpStatus(Object.assign(new Error('odd'), { kind: '__proto__' })), 500);
});
