// When a live object still counts as the version Outpost verified (no dry run needed), and when it does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredDigest, fieldsDigest, stillVerified, versionOf } from '../../server/apply/versions.ts';
import type { KubeObject, ObjectVersion } from '../../server/cluster/types.ts';

const desired: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'shop',
    labels: { 'app.kubernetes.io/managed-by': 'outpost', tier: 'front' },
    annotations: { note: 'a' },
  },
  spec: { replicas: 1 },
};
const OURS = { manager: 'outpost', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' };
const ourFields = { 'f:metadata': { 'f:labels': { 'f:tier': {} } }, 'f:spec': { 'f:replicas': {} } };
const managedFields = [{ ...OURS, time: '2026-12-02T10:00:00Z', fieldsV1: ourFields }];
const live: KubeObject = {
  ...desired,
  metadata: { ...desired.metadata, resourceVersion: '100', generation: 3, uid: 'u-1', managedFields },
};
const known = versionOf(live, desired);
const now = (over: Partial<ObjectVersion>): ObjectVersion => ({
  name: 'web',
  namespace: 'shop',
  resourceVersion: '100',
  generation: 3,
  uid: 'u-1',
  labels: { ...desired.metadata.labels },
  annotations: { ...desired.metadata.annotations },
  managedFields,
  ...over,
});

test('the version of an applied object vouches for exactly what was sent', () => {
  assert.deepEqual(known, {
    desiredDigest: desiredDigest(desired),
    resourceVersion: '100',
    generation: 3,
    uid: 'u-1',
    fieldsDigest: fieldsDigest(managedFields),
  });
  assert.notEqual(known.fieldsDigest, '');
  assert.notEqual(desiredDigest({ ...desired, spec: { replicas: 2 } }), known.desiredDigest);
});

test('an unchanged resourceVersion is verified', () => {
  assert.equal(stillVerified(now({}), known, desired), true);
});

test('a status-only move (same uid and generation, our labels intact) is verified, others’ extra labels too', () => {
  assert.equal(stillVerified(now({ resourceVersion: '140' }), known, desired), true);
  const extra = now({ resourceVersion: '141', labels: { ...desired.metadata.labels, added: 'by-someone' } });
  assert.equal(stillVerified(extra, known, desired), true);
});

test('fields Outpost owns that changed hands or grew (another revision’s extra annotation) are not verified', () => {
  const grown = [
    { ...OURS, fieldsV1: { ...ourFields, 'f:metadata': { 'f:annotations': { 'f:extra': {} } } } },
  ];
  assert.equal(stillVerified(now({ resourceVersion: '145', managedFields: grown }), known, desired), false);
  const taken = [{ ...OURS, fieldsV1: { 'f:spec': { 'f:replicas': {} } } }, { manager: 'kubectl-edit' }];
  assert.equal(stillVerified(now({ resourceVersion: '146', managedFields: taken }), known, desired), false);
  // Only the time of our entry moved, or someone else's entry appeared: still ours as verified.
  const later = [{ ...OURS, time: '2026-12-02T11:00:00Z', fieldsV1: ourFields }, { manager: 'hpa' }];
  assert.equal(stillVerified(now({ resourceVersion: '147', managedFields: later }), known, desired), true);
});

test('a spec change (new generation) is not verified', () => {
  assert.equal(stillVerified(now({ resourceVersion: '150', generation: 4 }), known, desired), false);
});

test('a changed or removed label or annotation of ours is not verified', () => {
  const labels = { ...desired.metadata.labels, tier: 'back' };
  assert.equal(stillVerified(now({ resourceVersion: '151', labels }), known, desired), false);
  assert.equal(stillVerified(now({ resourceVersion: '152', annotations: {} }), known, desired), false);
});

test('an object recreated by someone else (same generation, new uid) is not verified', () => {
  assert.equal(stillVerified(now({ resourceVersion: '160', uid: 'u-2' }), known, desired), false);
});

test('an object without a generation, or sending metadata a generation does not cover, needs its resourceVersion', () => {
  const { generation: _, ...noGeneration } = known;
  assert.equal(stillVerified(now({ resourceVersion: '170' }), noGeneration, desired), false);
  const withFinalizers = { ...desired, metadata: { ...desired.metadata, finalizers: ['x'] } };
  const k = versionOf({ ...live, metadata: { ...live.metadata, finalizers: ['x'] } }, withFinalizers);
  assert.equal(stillVerified(now({ resourceVersion: '171' }), k, withFinalizers), false);
  assert.equal(stillVerified(now({}), k, withFinalizers), true);
});
