// The store: migrations on a fresh DB, content addressing, runs, the append-only audit log.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { appendAudit, recentAudit } from '../../server/db/audit.ts';
import { MIGRATIONS } from '../../server/db/migrations/index.ts';
import { checkStore, openDb } from '../../server/db/open.ts';
import {
  getRevision,
  inFlightRevisions,
  inventory,
  markInFlight,
  RevisionUnreadable,
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
    'api_samples',
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

test('a revision keeps a binary file byte for byte and UTF-8 files as text', () => {
  const db = openDb(':memory:');
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
  const files = { 'docs/logo.png': png, 'app.yaml': Buffer.from('kind: ConfigMap\n'), base64: 'x' };
  const { id } = storeRevision(db, { ...rev, digest: 'sha256:bytes', files });
  const back = revisionFiles(db, id);
  assert.deepEqual(Buffer.from(back['docs/logo.png'] as Uint8Array), png);
  assert.equal(back['app.yaml'], 'kind: ConfigMap\n');
  assert.equal(back.base64, 'x');
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

test('a revision stored without a label gains one when the same content is fetched again, once', () => {
  const db = openDb(':memory:');
  const { id } = storeRevision(db, rev);
  assert.equal(getRevision(db, id)?.subject, null);
  storeRevision(db, { ...rev, label: { subject: 'Bump web to 1.2', author: 'Ada' } });
  storeRevision(db, { ...rev, label: { subject: 'Later commit, same tree', author: 'Bob' } });
  const r = getRevision(db, id);
  assert.deepEqual([r?.subject, r?.author, r?.uploadName], ['Bump web to 1.2', 'Ada', null]);
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
  const done = startRun(db, 'sync-now', 'alice');
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

test('a stored revision whose files or objects changed under their checksum is refused on read', () => {
  const db = openDb(':memory:');
  const { id } = storeRevision(db, rev);
  db.prepare(`UPDATE revisions SET files = ? WHERE id = ?`).run(Buffer.from('not gzip'), id);
  assert.throws(
    () => revisionFiles(db, id),
    /revision \d+ in the local store: its files do not match their stored checksum/,
  );
  db.prepare(`UPDATE revisions SET objects = '[]' WHERE id = ?`).run(id);
  assert.throws(() => revisionObjects(db, id), RevisionUnreadable);
  assert.throws(() => revisionObjects(db, id + 1), /revision \d+ in the local store: not found/);
});

test('the in-flight state of a store from before migration 004 becomes one entry of the in-flight set', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-db-'));
  const db = new Database(path.join(dir, 'outpost.db'));
  for (const step of MIGRATIONS.slice(0, 3)) db.exec(step);
  db.pragma('user_version = 3');
  db.prepare(
    `INSERT INTO state (key, value, updated_at) VALUES ('in_flight', '{"revisionId":7}', '2026-11-30T00:00:00Z')`,
  ).run();
  db.close();
  const migrated = openDb(dir);
  assert.deepEqual(inFlightRevisions(migrated), [7]);
  assert.equal(
    (migrated.prepare(`SELECT count(*) AS n FROM state WHERE key = 'in_flight'`).get() as { n: number }).n,
    0,
  );
  markInFlight(migrated, 9);
  markInFlight(migrated, 7);
  assert.deepEqual(inFlightRevisions(migrated).sort(), [7, 9], 'a second crash adds, never replaces');
  migrated.close();
});

test('the start-up check reports a damaged page instead of passing or crashing', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-db-'));
  const db = openDb(dir);
  for (let i = 0; i < 40; i++)
    storeRevision(db, { ...rev, digest: `sha256:${i}`, files: { 'a.yaml': 'x'.repeat(4000 + i) } });
  assert.deepEqual(checkStore(db).problems, []);
  // Garbage over a page holding revision content (not the schema): a damaged sector.
  const page = (
    db
      .prepare(`SELECT max(pageno) AS pageno FROM dbstat WHERE name = 'revisions' AND pagetype = 'leaf'`)
      .get() as { pageno: number }
  ).pageno;
  assert.ok(page > 2, `revision rows live on page ${page}`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const fd = openSync(path.join(dir, 'outpost.db'), 'r+');
  writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, (page - 1) * 4096);
  closeSync(fd);
  const damaged = openDb(dir);
  const check = checkStore(damaged);
  assert.equal(check.ok, false);
  assert.ok(check.problems.length > 0);
  damaged.close();
});
