// The `outpost` command as a user runs it: status --json and sync --once with their exit codes.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { openDb } from '../../server/db/open.ts';
import { lkgRevision } from '../../server/sync/state-keys.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'outpost.js');

async function outpost(args: string[], env: Record<string, string>) {
  try {
    const r = await run(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OUTPOST_LOG_LEVEL: 'silent', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('cli', () => {
  let f: Fleet;
  let env: Record<string, string>;
  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings') });
    env = {
      KUBECONFIG: path.join(f.dir, 'kubeconfig.yaml'),
      OUTPOST_DATA_DIR: path.join(f.dir, 'cli-data'),
      OUTPOST_SOURCE_KIND: 'dir',
      OUTPOST_SOURCE_URL: f.sourceDir,
    };
  });
  after(async () => {
    await f.close();
  });

  test('status --json on a node that never synced prints nulls', async () => {
    const r = await outpost(['status', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      applied: null,
      attempted: null,
      upstream: {
        reachable: null,
        broken: false,
        brokenSince: null,
        lastFullFetch: null,
        lastContact: null,
        lastChange: null,
        unreachableSince: null,
        consecutiveFailures: 0,
        lastError: null,
      },
      held: null,
      hold: null,
      store: {
        ok: true,
        problem: null,
        checkedAt: null,
        full: false,
        since: null,
        snapshot: false,
        reassert: null,
        bytes: 0,
        limitBytes: null,
        historyDays: null,
      },
      state: {
        overall: 'none',
        word: 'nothingApplied',
        sync: { state: 'never', since: null, revision: null },
        health: { state: 'unknown', counts: { Healthy: 0, Progressing: 0, Degraded: 0, Unknown: 0 } },
        reasons: [],
        causes: [],
        healthReadAt: null,
      },
    });
  });

  test('sync --once applies and exits 0; status --json then shows the applied revision', async () => {
    const r = await outpost(['sync', '--once'], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^succeeded/);
    assert.match(r.stdout, /created\s+v1 ConfigMap shop\/settings/);
    const s = JSON.parse((await outpost(['status', '--json'], env)).stdout);
    assert.match(s.applied.revision, /^[0-9a-f]{12}$/);
    assert.match(s.applied.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(s.attempted.result, 'succeeded');
    assert.equal(s.attempted.reason, null);
    assert.equal(s.upstream.reachable, true);
    assert.ok(Date.parse(s.upstream.lastContact));
  });

  test('sync --once exits 1 on a broken source and status says what failed while the LKG stays', async () => {
    const before = JSON.parse((await outpost(['status', '--json'], env)).stdout);
    f.write({
      'ns.yaml': NS,
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: shop}\ndata: [\n',
    });
    const r = await outpost(['sync', '--once'], env);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /failed \(RenderFailed\): cm.yaml: not valid YAML/);
    const s = JSON.parse((await outpost(['status', '--json'], env)).stdout);
    assert.equal(s.attempted.result, 'failed');
    assert.equal(s.attempted.reason, 'RenderFailed');
    assert.deepEqual(s.applied, before.applied);
    // The state says it as the page does: refused, with the file and line, and the raw reason under it.
    assert.equal(s.state.sync.state, 'refused');
    assert.equal(s.state.word, 'updateRefused');
    assert.deepEqual(s.state.causes[0].vars, { file: 'cm.yaml', line: 5, rev: '—' });
    const plain = (await outpost(['status'], env)).stdout;
    assert.match(plain, /^state:\s+Update refused \(bad\)$/m);
    assert.match(plain, /^cause:\s+cm\.yaml does not parse at line 5; the new revision was not applied$/m);
    assert.match(plain, /^\s+details: RenderFailed: cm\.yaml: not valid YAML at line 5/m);
  });

  test('rollback to a revision that is not stored (a typo) records no run and changes no state', async () => {
    const before = (await outpost(['status', '--json'], env)).stdout;
    const runs = () => {
      const db = openDb(env.OUTPOST_DATA_DIR as string);
      try {
        return (db.prepare('SELECT count(*) AS n FROM sync_runs').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const n = runs();
    const r = await outpost(['rollback', '99'], env);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'outpost: revision 99 is not stored on this node (`outpost revisions` lists the stored ones)\n',
    );
    assert.equal(runs(), n);
    assert.equal((await outpost(['status', '--json'], env)).stdout, before);
    // --debug adds the stack; without it the error is that one line.
    assert.match(
      (await outpost(['rollback', '99', '--debug'], env)).stderr,
      /RevisionNotStored: revision 99[^\n]*\n\s+at /,
    );
  });

  test('diff shows what the next sync would change, field by field, and writes nothing', async () => {
    f.write({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'v2'), 'cm2.yaml': configMap('second') });
    f.sim.stats.reset();
    const r = await outpost(['diff'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^unchanged\s+v1 Namespace shop$/m);
    assert.match(r.stdout, /^configured\s+v1 ConfigMap shop\/settings\s+\(data\.key\)$/m);
    assert.match(r.stdout, /^\s+data\.key: v1 → v2$/m);
    assert.match(r.stdout, /^\s+data\.key: v1 → v2$/m);
    assert.match(r.stdout, /^created\s+v1 ConfigMap shop\/second$/m);
    assert.equal(f.sim.stats.writes, 0);
  });

  test('rollback <id> applies a stored revision with no source at all', async () => {
    const revs = JSON.parse((await outpost(['revisions', '--json'], env)).stdout) as {
      id: number;
      status: string;
    }[];
    const applied = revs.find((r) => r.status === 'applied');
    assert.ok(applied);
    const r = await outpost(['rollback', String(applied.id)], { ...env, OUTPOST_SOURCE_URL: '/nonexistent' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^succeeded/);
    assert.equal((await outpost(['rollback', 'x'], env)).code, 2);
  });

  test('sync --once refuses a prune of most running objects (exit 1) until --allow-mass-prune confirms it', async () => {
    f.write({
      'ns.yaml': NS,
      'a.yaml': configMap('a'),
      'b.yaml': configMap('b'),
      'c.yaml': configMap('c'),
    });
    assert.equal((await outpost(['sync', '--once'], env)).code, 0);
    f.write({ 'ns.yaml': NS });
    const refused = await outpost(['sync', '--once'], env);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stdout,
      /^failed \(MassPruneRefused\): the prune would delete 3 of 4 managed objects/,
    );
    assert.ok(await f.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'a' }));
    const confirmed = await outpost(['sync', '--once', '--allow-mass-prune'], env);
    assert.equal(confirmed.code, 0, confirmed.stdout + confirmed.stderr);
    assert.match(confirmed.stdout, /deleted\s+v1 ConfigMap shop\/a/);
  });

  test('status says the store is damaged when the running revision is missing from it', async () => {
    assert.match((await outpost(['status'], env)).stdout, /^store:\s+ok$/m);
    // A copy of the store: the tests after this one read the running revision.
    const copy = path.join(f.dir, 'damaged-data');
    cpSync(env.OUTPOST_DATA_DIR as string, copy, { recursive: true });
    const damagedEnv = { ...env, OUTPOST_DATA_DIR: copy };
    const db = openDb(copy);
    try {
      const lkg = lkgRevision.get(db);
      db.prepare('DELETE FROM revisions WHERE id = ?').run(lkg?.revisionId);
    } finally {
      db.close();
    }
    const r = await outpost(['status'], damagedEnv);
    assert.match(
      r.stdout,
      /^store:\s+DAMAGED: the running revision [0-9a-f]{12} \(id \d+\) is missing from the local store/m,
    );
    assert.equal(JSON.parse((await outpost(['status', '--json'], damagedEnv)).stdout).store.ok, false);
  });

  test('a bad setting stops the command with a line naming it', async () => {
    const r = await outpost(['status'], { ...env, OUTPOST_PORT: 'x' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /OUTPOST_PORT: /);
  });

  test('status still shows the stored status with a schedule that never fires, and exits 2 naming the setting', async () => {
    const r = await outpost(['status', '--json'], { ...env, OUTPOST_SCHEDULE: '0 0 31 2 *' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /OUTPOST_SCHEDULE: "0 0 31 2 \*" never fires/);
    assert.match(JSON.parse(r.stdout).applied.revision, /^[0-9a-f]{12}$/);
  });

  test('status reads the store in a read-only folder', async () => {
    // A read-only bind mount of the data folder (tests run as root: chmod alone would not stop root).
    const ro = path.join(f.dir, 'ro-data');
    mkdirSync(ro);
    const mount = (...args: string[]) => {
      const m = spawnSync('mount', args, { encoding: 'utf8' });
      assert.equal(m.status, 0, m.stderr);
    };
    mount('--bind', env.OUTPOST_DATA_DIR as string, ro);
    try {
      mount('-o', 'remount,ro,bind', ro);
      const r = await outpost(['status', '--json'], { ...env, OUTPOST_DATA_DIR: ro });
      assert.equal(r.code, 0, r.stderr);
      assert.match(JSON.parse(r.stdout).applied.revision, /^[0-9a-f]{12}$/);
      const revs = await outpost(['revisions', '--json'], { ...env, OUTPOST_DATA_DIR: ro });
      assert.equal(revs.code, 0, revs.stderr);
      assert.ok(JSON.parse(revs.stdout).length > 0);
    } finally {
      spawnSync('umount', [ro]);
    }
  });

  test('sync --once finishes and exits with its own code when the reader closes the pipe early', async () => {
    const child = spawn(process.execPath, [BIN, 'sync', '--once'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OUTPOST_LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // `| head -0`: the reader is gone before the first line is written.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
    });
    const [code] = await once(child, 'close');
    assert.doesNotMatch(stderr, /EPIPE/);
    assert.equal(code, 0, stderr);
  });

  test('a command refuses a 0-byte database naming its path, unless OUTPOST_INIT_EMPTY_DB=1', async () => {
    const dataDir = path.join(f.dir, 'wiped-data');
    mkdirSync(dataDir);
    writeFileSync(path.join(dataDir, 'outpost.db'), '');
    const r = await outpost(['sync', '--once'], { ...env, OUTPOST_DATA_DIR: dataDir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${path.join(dataDir, 'outpost.db')} is empty \\(0 bytes\\)`));
    assert.match(r.stderr, /OUTPOST_INIT_EMPTY_DB=1/);
    assert.equal(statSync(path.join(dataDir, 'outpost.db')).size, 0, 'nothing was written');
    const fresh = await outpost(['sync', '--once'], {
      ...env,
      OUTPOST_DATA_DIR: dataDir,
      OUTPOST_INIT_EMPTY_DB: '1',
    });
    assert.equal(fresh.code, 0, fresh.stdout + fresh.stderr);
  });

  test('an unknown command prints usage and exits 2', async () => {
    const r = await outpost(['frobnicate'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
    assert.match(r.stderr, /usage: outpost/);
  });
});
