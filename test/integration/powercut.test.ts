// A kill -9 in the middle of revision writes leaves an intact store where every revision is whole or absent.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openDb } from '../../server/db/open.ts';
import { listRevisions, revisionFiles, revisionObjects } from '../../server/db/revisions.ts';
import { ROOT } from '../support/process.ts';

test('kill -9 during 100 revision writes leaves integrity_check ok and every revision whole or absent', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'outpost-powercut-'));
  try {
    let written = 0;
    for (let round = 0; written < 100; round++) {
      const child = spawn(
        process.execPath,
        [path.join(ROOT, 'test', 'support', 'revision-writer.ts'), dataDir, String(round * 1000)],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      // Long enough for some writes, random so the kill lands anywhere inside one.
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 120));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      const db = openDb(dataDir);
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        const revs = listRevisions(db, 100_000);
        for (const r of revs) {
          assert.equal(r.objectCount, 500);
          assert.equal(revisionObjects(db, r.id).length, 500, `revision ${r.digest} is whole`);
          assert.equal(Object.keys(revisionFiles(db, r.id)).length, 500);
        }
        written = revs.length;
      } finally {
        db.close();
      }
    }
    assert.ok(written >= 100);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
