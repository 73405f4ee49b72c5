// The audit log's own detail lines: written from one template per shape, read back only when every value fits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AUDIT_DETAIL_SHAPES,
  AUDIT_DETAILS,
  auditDetail,
  readAuditDetail,
} from '../../server/audit-detail.ts';

const SAMPLE = {
  role: 'operator',
  time: '2026-12-02T12:00:00.000Z',
  count: 5,
  text: 'alice',
  raw: 'connect ECONNREFUSED 10.0.0.1:22',
  'tunnel-problem': 'connection-refused',
  'source-kind': 'git',
} as const;

/** A value of the right kind for every placeholder of `shape`. */
function sampleParams(shape: keyof typeof AUDIT_DETAILS): Record<string, string | number> {
  const kinds: Readonly<Record<string, keyof typeof SAMPLE>> = AUDIT_DETAILS[shape].kinds;
  return Object.fromEntries(Object.entries(kinds).map(([name, kind]) => [name, SAMPLE[kind]]));
}

test('every shape written is read back as itself with the same values', () => {
  for (const shape of AUDIT_DETAIL_SHAPES) {
    const params = sampleParams(shape);
    assert.deepEqual(readAuditDetail(auditDetail(shape, params)), { shape, params }, shape);
  }
});

test('the stored English is the line the writers always wrote (the CLI and old rows read the same)', () => {
  assert.equal(auditDetail('role-change', { from: 'operator', to: 'viewer' }), 'operator → viewer');
  assert.equal(
    auditDetail('tunnel-requested', { n: 30, at: SAMPLE.time }),
    `for 30 min, until ${SAMPLE.time}`,
  );
  // An old row written before this module still reads as its shape.
  assert.deepEqual(readAuditDetail('role viewer, expires 2026-12-02T20:54:46.904Z'), {
    shape: 'role-expiring',
    params: { role: 'viewer', at: '2026-12-02T20:54:46.904Z' },
  });
});

test('a line whose values do not fit, or someone else’s words, is not ours', () => {
  assert.equal(readAuditDetail('role wizard'), null);
  assert.equal(readAuditDetail('admin → root'), null);
  assert.equal(readAuditDetail('for many min, until tomorrow'), null);
  assert.equal(readAuditDetail('tomorrow'), null);
  assert.equal(readAuditDetail('connect ECONNREFUSED 10.0.0.1:22'), null);
  assert.equal(readAuditDetail('version '), null);
  assert.equal(readAuditDetail(null), null);
  assert.equal(readAuditDetail(`version ${'x'.repeat(3000)}`), null);
});

test('an error quoted in a line is kept on one line and bounded, and read back whole', () => {
  const line = auditDetail('restart-failed', { error: `denied\n  at the webhook ${'x'.repeat(5000)}` });
  assert.ok(!line.includes('\n'));
  assert.ok(line.length < 2100);
  const back = readAuditDetail(line);
  assert.equal(back?.shape, 'restart-failed');
  assert.match(String(back?.params.error), /^denied at the webhook x+$/);
  // A tunnel problem is read back only with a code the tunnel has.
  assert.equal(readAuditDetail('no-such-problem: boom'), null);
  assert.deepEqual(readAuditDetail('timeout: the bastion b:22 did not answer in time'), {
    shape: 'tunnel-problem',
    params: { code: 'timeout', error: 'the bastion b:22 did not answer in time' },
  });
});
