// Health checks per kind, driven by fixtures named <kind>-<state>[-variant].yaml: the state is the expected verdict.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { healthOf } from '../../server/apply/health/index.ts';

const DIR = path.resolve(import.meta.dirname, '..', 'fixtures', 'health');
const STATES = {
  healthy: 'Healthy',
  progressing: 'Progressing',
  degraded: 'Degraded',
  unknown: 'Unknown',
} as const;

for (const file of readdirSync(DIR).sort()) {
  const state = file.replace(/\.yaml$/, '').split('-')[1] as keyof typeof STATES;
  test(`health of ${file} is ${STATES[state]}`, () => {
    const [obj, related] = parseAllDocuments(readFileSync(path.join(DIR, file), 'utf8')).map(
      (d) => d.toJS() as Record<string, unknown> & { apiVersion: string; kind: string },
    );
    assert.ok(obj && STATES[state], `fixture ${file} must be named <kind>-<state>`);
    const h = healthOf(obj, obj.apiVersion, obj.kind, related ?? null);
    assert.equal(h.status, STATES[state], h.message);
    assert.ok(h.message.length > 0);
  });
}

test('a missing object is Degraded', () => {
  assert.equal(healthOf(null, 'v1', 'ConfigMap').status, 'Degraded');
});

test('a pull failure names the container and the reason', () => {
  const h = healthOf(
    {
      status: {
        phase: 'Pending',
        containerStatuses: [{ name: 'web', state: { waiting: { reason: 'ErrImagePull' } } }],
      },
    },
    'v1',
    'Pod',
  );
  assert.equal(h.status, 'Degraded');
  assert.match(h.message, /container web: ErrImagePull/);
});
