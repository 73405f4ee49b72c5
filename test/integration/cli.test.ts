// The `outpost` command as a user runs it: status --json and sync --once with their exit codes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
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
        lastContact: null,
        lastChange: null,
        unreachableSince: null,
        consecutiveFailures: 0,
        lastError: null,
      },
      held: null,
      hold: null,
      store: {
        full: false,
        since: null,
        snapshot: false,
        reassert: null,
        bytes: 0,
        limitBytes: null,
        historyDays: null,
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
  });

  test('diff shows what the next sync would change, field by field, and writes nothing', async () => {
    f.write({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'v2'), 'cm2.yaml': configMap('second') });
    f.sim.stats.reset();
    const r = await outpost(['diff'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^unchanged\s+v1 Namespace shop$/m);
    assert.match(r.stdout, /^configured\s+v1 ConfigMap shop\/settings\s+\(data\.key\)$/m);
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

  test('a bad setting stops the command with a line naming it', async () => {
    const r = await outpost(['status'], { ...env, OUTPOST_PORT: 'x' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /OUTPOST_PORT: /);
  });

  test('an unknown command prints usage and exits 2', async () => {
    const r = await outpost(['frobnicate'], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
    assert.match(r.stderr, /usage: outpost/);
  });
});
