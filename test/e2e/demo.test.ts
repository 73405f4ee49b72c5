// The demo as a newcomer meets it: `npm start` with no cluster syncs the sample fleet; kubectl sees it.
// The page itself, signed in, is driven in Chromium by console.test.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type OutpostProcess, startOutpost, waitFor } from '../support/process.ts';

const exec = promisify(execFile);

describe('demo', () => {
  let dataDir: string;
  let outpost: OutpostProcess;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'outpost-e2e-'));
    outpost = await startOutpost({ OUTPOST_DATA_DIR: dataDir });
  });
  after(async () => {
    const code = await outpost?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    assert.equal(code, 0, 'Outpost exits cleanly on SIGTERM');
  });

  test('the demo syncs the sample fleet by itself and kubectl sees what it applied', async () => {
    const status = await waitFor('the startup sync', async () => {
      const res = await fetch(`${outpost.url}/readyz`);
      if (res.status !== 200) return null;
      const { stdout } = await exec(process.execPath, ['bin/outpost.js', 'status', '--json'], {
        env: { ...process.env, OUTPOST_DATA_DIR: dataDir },
      });
      const s = JSON.parse(stdout);
      return s.applied ? s : null;
    });
    assert.equal(status.attempted.result, 'succeeded');
    const { stdout } = await exec('kubectl', [
      '--kubeconfig',
      path.join(dataDir, 'demo-kubeconfig.yaml'),
      'get',
      'deploy',
      '-A',
    ]);
    assert.match(stdout, /shop\s+web\b/);
    assert.match(stdout, /shop\s+label-printer\b/);
  });
});
