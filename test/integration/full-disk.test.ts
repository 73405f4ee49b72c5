// A full data volume (an 8 MiB tmpfs the test mounts and fills): Outpost starts, serves the console and kiosk,
// re-asserts the LKG without writing, says "data volume full" everywhere, and recovers when space returns.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { openDb } from '../../server/db/open.ts';
import { RESERVE_FILE } from '../../server/db/space.ts';
import { type Kubesim, startKubesim } from '../../server/kubesim/index.ts';
import { type SimClient, simClient } from '../../server/kubesim/testing.ts';
import { configMap, NS } from '../support/fleet.ts';
import { Browser, testAccess } from '../support/http.ts';
import { type OutpostProcess, ROOT, startOutpost, waitFor } from '../support/process.ts';

const run = promisify(execFile);
const CM = '/api/v1/namespaces/shop/configmaps/settings';

/** Writes zeros until the file system refuses: the volume is then full to the last block. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const big = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, big);
  } catch {
    // ENOSPC: now the last partial block.
  }
  try {
    for (;;) writeSync(fd, big, 0, 512);
  } catch {
    // Full.
  }
  closeSync(fd);
}

/** The runs recorded in the store, read as the CLI would (a snapshot when the volume is too full for -shm). */
function runCount(dataDir: string): number {
  const db = openDb(dataDir, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM sync_runs').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('a full data volume', () => {
  let dir: string;
  let dataDir: string;
  let sim: Kubesim;
  let k: SimClient;
  let env: Record<string, string>;
  let outpost: OutpostProcess | null = null;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'outpost-full-'));
    dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dataDir]);
    const source = path.join(dir, 'source');
    mkdirSync(source);
    writeFileSync(path.join(source, 'ns.yaml'), NS);
    writeFileSync(path.join(source, 'cm.yaml'), configMap('settings'));
    const kubeconfig = path.join(dir, 'kubeconfig.yaml');
    sim = await startKubesim({ readyDelayMs: 50, kubeconfigPath: kubeconfig });
    k = simClient(sim.url);
    // Users exist before the first start: the test signs in like staff would.
    const db = openDb(dataDir);
    await testAccess(db);
    db.close();
    env = {
      OUTPOST_DATA_DIR: dataDir,
      KUBECONFIG: kubeconfig,
      OUTPOST_SOURCE_KIND: 'dir',
      OUTPOST_SOURCE_URL: source,
      OUTPOST_SCHEDULE: '0 0 1 1 *',
      OUTPOST_STORE_RESERVE: '1m',
      OUTPOST_STORE_CHECK: '1s',
      OUTPOST_SAMPLE_INTERVAL: '1s',
    };
  });
  after(async () => {
    await outpost?.stop();
    await sim?.close();
    try {
      execFileSync('umount', [dataDir]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Outpost starts, re-asserts the LKG without writing, says so everywhere, and recovers by itself', async () => {
    // A normal first start: the LKG is applied and recorded, and the reserve is set aside.
    outpost = await startOutpost(env);
    await waitFor('the first sync', async () => runCount(dataDir) > 0 && (await k.get(CM)).status === 200);
    assert.ok(existsSync(path.join(dataDir, RESERVE_FILE)), 'the reserve file is made at start-up');
    await waitFor('the first run to finish', async () => {
      const db = openDb(dataDir, { readonly: true });
      const open = (
        db.prepare(`SELECT count(*) AS n FROM sync_runs WHERE result = 'running'`).get() as { n: number }
      ).n;
      db.close();
      return open === 0;
    });
    assert.equal(await outpost.stop(), 0);
    outpost = null;

    // The volume fills up while Outpost is down, and someone deletes a managed object.
    const runsBefore = runCount(dataDir);
    fill(path.join(dataDir, 'filler'));
    assert.equal((await k.del(CM)).status, 200);

    outpost = await startOutpost(env);
    const { url } = outpost;
    // The LKG is back on the cluster, and no run was written for it.
    await waitFor('the LKG re-asserted', async () => (await k.get(CM)).status === 200);
    assert.equal(runCount(dataDir), runsBefore, 'no run row is written while the volume is full');

    const kiosk = await (await fetch(`${url}/kiosk`)).text();
    assert.match(kiosk, /data-state="full"/);
    assert.match(kiosk, /Data volume full/);

    // Sign-in and signed-in pages work (the released reserve holds the session), and every page says it.
    const b = await new Browser(url).login('operator');
    const overview = await b.page('/');
    assert.match(overview, /data-state="full"/);
    assert.match(overview, /data-testid="store-full"/);
    assert.equal((await b.request('/runs')).status, 200);
    const metrics = await (await b.request('/metrics')).text();
    assert.match(metrics, /^outpost_store_full 1$/m);
    // Sync now on the console re-asserts without writing, instead of failing.
    assert.equal((await k.del(CM)).status, 200);
    await b.page('/');
    const synced = await b.post('/actions/sync');
    assert.ok(synced.status < 400, `sync now answers ${synced.status}`);
    await waitFor('the button sync to re-assert', async () => (await k.get(CM)).status === 200);
    assert.equal(runCount(dataDir), runsBefore);

    const status = await run(process.execPath, [path.join(ROOT, 'bin', 'outpost.js'), 'status'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OUTPOST_LOG_LEVEL: 'silent', ...env },
    });
    assert.match(status.stdout, /^store:\s+DATA VOLUME FULL/m);

    // Space returns: the reserve comes back, the state clears and runs are recorded again.
    rmSync(path.join(dataDir, 'filler'));
    await waitFor(
      'recovery',
      async () => !/data-state="full"/.test(await (await fetch(`${url}/kiosk`)).text()),
      20_000,
    );
    await waitFor('a run recorded after recovery', async () => runCount(dataDir) > runsBefore, 20_000);
    assert.ok(existsSync(path.join(dataDir, RESERVE_FILE)), 'the reserve is made again');
    assert.match(await (await b.request('/metrics')).text(), /^outpost_store_full 0$/m);
  });

  test('a volume that fills while Outpost runs: pages, sign-in and metrics keep answering, syncs write nothing', async () => {
    assert.ok(outpost, 'Outpost still runs after the first test');
    const { url } = outpost;
    const b = await new Browser(url).login('operator');
    fill(path.join(dataDir, 'filler'));
    await waitFor('the full state', async () =>
      /data-state="full"/.test(await (await fetch(`${url}/kiosk`)).text()),
    );
    assert.ok(!existsSync(path.join(dataDir, RESERVE_FILE)), 'the reserve is released');
    const runsBefore = runCount(dataDir);
    assert.match(await b.page('/'), /data-state="full"/);
    assert.match(await (await b.request('/metrics')).text(), /^outpost_store_full 1$/m);
    // The released reserve has room for a new session...
    await new Browser(url).login('viewer');
    assert.equal((await k.del(CM)).status, 200);
    await b.page('/');
    assert.ok((await b.post('/actions/sync')).status < 400);
    await waitFor('the button sync to re-assert', async () => (await k.get(CM)).status === 200);
    assert.equal(runCount(dataDir), runsBefore);

    // ...but once that room is gone too, new sign-ins are refused in words and signed-in staff stay signed in.
    fill(path.join(dataDir, 'filler-2'));
    const late = new Browser(url);
    await late.page('/login');
    const refused = await late.post('/login', { username: 'admin', password: 'admin-password-1' });
    assert.equal(refused.status, 503);
    assert.match(await refused.text(), /Signing in is paused: the data volume is full/);
    const still = await b.request('/');
    assert.equal(still.status, 200);
    assert.match(await still.text(), /data-testid="signed-in"/);

    rmSync(path.join(dataDir, 'filler'));
    rmSync(path.join(dataDir, 'filler-2'));
    await waitFor(
      'recovery',
      async () => !/data-state="full"/.test(await (await fetch(`${url}/kiosk`)).text()),
      20_000,
    );
    await new Browser(url).login('admin');
  });
});
