// The store: migrations on a fresh DB, content addressing, runs, the append-only audit log.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { appendAudit, recentAudit } from '../../server/db/audit.ts';
import { MIGRATIONS } from '../../server/db/migrations/index.ts';
import { openDb } from '../../server/db/open.ts';
import {
  getRevision,
  inventory,
  revisionFiles,
  revisionObjects,
  saveInventory,
  storeRevision,
} from '../../server/db/revisions.ts';
import { closeAbandonedRuns, finishRun, getRun, markStage, startRun } from '../../server/db/runs.ts';

const rev = {
  digest: 'sha256:abc',
  sourceKind: 'dir',
  sourceUrl: '/srv/fleet',
  sourcePath: 'sites/a',
  files: { 'a.yaml': 'kind: ConfigMap' },
  objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x' } }],
};

test('a fresh store migrates to the latest schema with WAL and FULL sync', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-db-'));
  const db = openDb(dir);
  assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 2);
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
  )
    .map((r) => r.name)
    .sort();
  for (const t of [
    'audit',
    'inventory',
    'revisions',
    'state',
    'sync_runs',
    'users',
    'sessions',
    'host_samples',
  ]) {
    assert.ok(tables.includes(t), `table ${t} exists after migrating (${tables.join(', ')})`);
  }
  db.close();
  // Re-opening runs no step twice.
  const again = openDb(dir);
  assert.equal(again.pragma('user_version', { simple: true }), MIGRATIONS.length);
  again.close();
});

test('a store newer than this Outpost is refused rather than downgraded', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-db-'));
  const db = openDb(dir);
  db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  db.close();
  assert.throws(() => openDb(dir), /newer than this Outpost knows/);
});

test('revisions are content-addressed: the same digest is stored once', () => {
  const db = openDb(':memory:');
  const a = storeRevision(db, rev);
  const b = storeRevision(db, rev);
  assert.equal(a.created, true);
  assert.equal(b.created, false);
  assert.equal(a.id, b.id);
  assert.deepEqual(revisionFiles(db, a.id), rev.files);
  assert.deepEqual(revisionObjects(db, a.id), rev.objects);
  assert.equal(getRevision(db, a.id)?.objectCount, 1);
});

test('inventory is replaced whole for a revision', () => {
  const db = openDb(':memory:');
  const { id } = storeRevision(db, rev);
  saveInventory(db, id, [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'x', name: 'a' }]);
  saveInventory(db, id, [{ apiVersion: 'v1', kind: 'Namespace', name: 'x' }]);
  assert.deepEqual(inventory(db, id), [{ apiVersion: 'v1', kind: 'Namespace', name: 'x' }]);
});

test('runs record stages and results, and abandoned runs are closed as Interrupted', () => {
  const db = openDb(':memory:');
  const done = startRun(db, 'button', 'alice');
  markStage(db, done, 'fetch');
  markStage(db, done, 'render');
  finishRun(db, done, { result: 'succeeded', changes: [{ ref: 'v1 ConfigMap x/a', action: 'created' }] });
  const left = startRun(db, 'schedule', null);
  assert.equal(closeAbandonedRuns(db), 1);
  const r = getRun(db, done);
  assert.deepEqual(
    r?.stages.map((s) => s.stage),
    ['fetch', 'render'],
  );
  assert.equal(r?.result, 'succeeded');
  assert.equal(typeof r?.durationMs, 'number');
  assert.equal(getRun(db, left)?.reason, 'Interrupted');
});

test('the audit log refuses updates and deletes', () => {
  const db = openDb(':memory:');
  appendAudit(db, { actor: 'alice', action: 'sync', result: 'ok' });
  assert.throws(() => db.prepare("UPDATE audit SET actor = 'mallory'").run(), /append-only/);
  assert.throws(() => db.prepare('DELETE FROM audit').run(), /append-only/);
  assert.equal(recentAudit(db)[0]?.actor, 'alice');
});

test('retention keeps the newest revisions, the protected ones and pinned ones', async () => {
  const { pinRevision, pruneRevisions, listRevisions } = await import('../../server/db/revisions.ts');
  const db = openDb(':memory:');
  const ids = Array.from({ length: 8 }, (_, i) => storeRevision(db, { ...rev, digest: `sha256:${i}` }).id);
  pinRevision(db, ids[1] as number, true);
  const deleted = pruneRevisions(db, 3, [ids[0] as number]);
  assert.equal(deleted, 3);
  assert.deepEqual(
    listRevisions(db).map((r) => r.id),
    [ids[7], ids[6], ids[5], ids[1], ids[0]],
  );
});
