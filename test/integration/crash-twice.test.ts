// Two crashes in a row during different revisions: the first one's leftovers must stay in the prune set until they
// are cleaned up, so recovery leaves no labelled object outside the running revision.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { refString } from '../../server/cluster/types.ts';
import { inventory } from '../../server/db/revisions.ts';
import { recentRuns } from '../../server/db/runs.ts';
import { dirSource } from '../../server/sources/dir.ts';
import { type LkgPointer, reconcile } from '../../server/sync/reconciler.ts';
import { lkgRevision } from '../../server/sync/state-keys.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { ROOT } from '../support/process.ts';

const A = { 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'a') };
/** A plus three ConfigMaps of its own and one whose apply the simulator never answers (the crash point). */
function withOwn(rev: string): Record<string, string> {
  const files: Record<string, string> = { ...A, 'cm.yaml': configMap('settings', rev) };
  for (const name of [`${rev}-1`, `${rev}-2`, `${rev}-3`, `hang-${rev}`])
    files[`${name}.yaml`] = configMap(name);
  return files;
}

describe('two crashes in a row', () => {
  let f: Fleet;
  const dirs: Record<string, string> = {};
  before(async () => {
    f = await makeFleet(A, { readyDelayMs: 10 });
    for (const [name, files] of Object.entries({ b: withOwn('b'), c: withOwn('c') })) {
      dirs[name] = path.join(f.dir, `rev-${name}`);
      mkdirSync(dirs[name] as string, { recursive: true });
      for (const [file, text] of Object.entries(files))
        writeFileSync(path.join(dirs[name] as string, file), text);
    }
    assert.equal((await reconcile(f.deps, 'startup')).result, 'succeeded');
  });
  after(async () => {
    await f.close();
  });

  async function labelled(): Promise<string[]> {
    const out: string[] = [];
    for (const [apiVersion, kind] of [
      ['v1', 'ConfigMap'],
      ['v1', 'Namespace'],
    ] as const) {
      for (const o of await f.cluster.list(apiVersion, kind, {
        labelSelector: 'app.kubernetes.io/managed-by=outpost',
      }))
        out.push(refString({ apiVersion, kind, namespace: o.metadata.namespace, name: o.metadata.name }));
    }
    return out.sort();
  }

  /** Runs a reconcile of `rev` in a child process and kill -9s it mid-apply, once `${rev}-1` is on the cluster. */
  async function crashDuring(rev: string): Promise<void> {
    // The apply of hang-<rev> never gets an answer (a new object's dry run is a read), so the child stays mid-apply.
    f.sim.faults.inject({ hang: true, method: 'PATCH', pathIncludes: `/hang-${rev}?` });
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'test', 'support', 'reconcile-child.ts'),
        f.dataDir,
        path.join(f.dir, 'kubeconfig.yaml'),
        dirs[rev] as string,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'], detached: true },
    );
    const exited = new Promise((r) => child.once('exit', r));
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: `${rev}-1` };
    for (let i = 0; !(await f.cluster.get(ref)); i++) {
      assert.ok(i < 400, `the child never applied ${rev}-1`);
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(-(child.pid as number), 'SIGKILL');
    await exited;
    f.sim.faults.clear();
  }

  test('after crashes during B then C, recovery to A leaves no labelled object outside A', async () => {
    await crashDuring('b');
    await crashDuring('c');
    const leftBehind = await labelled();
    assert.ok(leftBehind.includes('v1 ConfigMap shop/b-1') && leftBehind.includes('v1 ConfigMap shop/c-1'));

    const run = await reconcile(f.deps, 'startup');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    const lkg = lkgRevision.get(f.db) as LkgPointer;
    assert.deepEqual(await labelled(), inventory(f.db, lkg.revisionId).map(refString).sort());
    assert.deepEqual(await labelled(), ['v1 ConfigMap shop/settings', 'v1 Namespace shop']);
    assert.deepEqual(
      recentRuns(f.db, 10).filter((r) => r.result === 'running'),
      [],
      'the killed children’s runs are closed',
    );
  });

  test('the same two crashes followed by an offline start re-assert A and remove both leftovers', async () => {
    await crashDuring('b');
    await crashDuring('c');
    const run = await reconcile({ ...f.deps, source: dirSource(path.join(f.dir, 'unreachable')) }, 'startup');
    assert.equal(run.reason, 'FetchFailed', run.message ?? '');
    assert.deepEqual(await labelled(), ['v1 ConfigMap shop/settings', 'v1 Namespace shop']);
  });
});
