// `outpost support-bundle` writes the same bundle as the console, from a shell on the node.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { appendAudit } from '../../server/db/audit.ts';
import { openDb } from '../../server/db/open.ts';
import { readTar } from '../../server/sources/tar.ts';
import { ROOT } from '../support/process.ts';

const exec = promisify(execFile);

test('support-bundle writes a tar.gz with the store’s audit log and a redacted configuration', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-cli-bundle-'));
  try {
    const db = openDb(dir);
    appendAudit(db, { actor: 'tech', action: 'hold', result: 'ok', detail: 'stocktaking' });
    db.close();
    const out = path.join(dir, 'bundle.tar.gz');
    const { stdout } = await exec(process.execPath, ['bin/outpost.js', 'support-bundle', '-o', out], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        OUTPOST_DATA_DIR: dir,
        OUTPOST_DEMO: '1',
        OUTPOST_SOURCE_KIND: 'git',
        OUTPOST_SOURCE_URL: 'https://deploy:hunter2@git.example/fleet.git',
        OUTPOST_LOG_LEVEL: 'silent',
      },
    });
    assert.match(stdout, /support bundle written to .*bundle\.tar\.gz/);
    const tar = readTar(gunzipSync(readFileSync(out)), 'bundle', {
      maxFiles: 1000,
      maxTotalBytes: 64 << 20,
    });
    assert.match(String(tar.files['audit.json']), /stocktaking/);
    const config = String(tar.files['config.json']);
    assert.match(config, /https:\/\/\[redacted\]@git\.example\/fleet\.git/);
    assert.doesNotMatch(config, /hunter2/);
    assert.ok('host.json' in tar.files && 'status.json' in tar.files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
