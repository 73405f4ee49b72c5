// Before anything is deleted: a running revision the store cannot give whole stops the run (StoreCorrupt), and a
// prune of most of what runs needs staff confirmation (MassPruneRefused). Either way nothing is removed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { refString } from '../../server/cluster/types.ts';
import { Registry } from '../../server/metrics.ts';
import { dirSource } from '../../server/sources/dir.ts';
import { createSyncMetrics } from '../../server/sync/metrics.ts';
import { type LkgPointer, reconcile } from '../../server/sync/reconciler.ts';
import { createSyncService } from '../../server/sync/service.ts';
import { lkgRevision, storeCheckResult } from '../../server/sync/state-keys.ts';
import { readStatus } from '../../server/sync/status.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';

/** A namespace and six ConfigMaps: seven managed objects. */
const SEVEN: Record<string, string> = { 'ns.yaml': NS };
for (let i = 1; i <= 6; i++) SEVEN[`cm-${i}.yaml`] = configMap(`cm-${i}`);

async function labelled(f: Fleet): Promise<string[]> {
  const out: string[] = [];
  for (const [apiVersion, kind] of [
    ['v1', 'Namespace'],
    ['v1', 'ConfigMap'],
  ] as const) {
    for (const o of await f.cluster.list(apiVersion, kind, {
      labelSelector: 'app.kubernetes.io/managed-by=outpost',
    }))
      out.push(refString({ apiVersion, kind, namespace: o.metadata.namespace, name: o.metadata.name }));
  }
  return out.sort();
}

describe('store guard', () => {
  let f: Fleet;
  afterEach(async () => {
    await f.close();
  });

  /** A fleet whose seven objects are applied and committed, then an upstream that cannot be reached. */
  async function runningOffline() {
    f = await makeFleet(SEVEN);
    const registry = new Registry();
    const deps = { ...f.deps, metrics: createSyncMetrics(registry) };
    assert.equal((await reconcile(deps, 'startup')).result, 'succeeded');
    const lkg = lkgRevision.get(f.db) as LkgPointer;
    const before = await labelled(f);
    assert.equal(before.length, 7);
    const offline = { ...deps, source: dirSource(path.join(f.dir, 'unreachable')) };
    return { lkg, before, offline, registry };
  }

  test('a deleted LKG row with the upstream down fails the run StoreCorrupt and deletes nothing', async () => {
    const { lkg, before, offline, registry } = await runningOffline();
    f.db.prepare('DELETE FROM revisions WHERE id = ?').run(lkg.revisionId);
    f.sim.stats.reset();
    const run = await reconcile(offline, 'schedule');
    assert.equal(run.result, 'failed');
    assert.equal(run.reason, 'StoreCorrupt', run.message ?? '');
    assert.match(
      run.message ?? '',
      new RegExp(`id ${lkg.revisionId}.*not found.*nothing was applied or removed`),
    );
    assert.equal(run.changes.filter((c) => c.action === 'deleted').length, 0);
    assert.equal(f.sim.stats.writes, 0);
    assert.deepEqual(await labelled(f), before);
    const status = readStatus(f.db);
    assert.equal(status.store.ok, false);
    assert.match(status.store.problem ?? '', /missing from the local store/);
    assert.equal(status.attempted?.reason, 'StoreCorrupt');
    const metrics = await registry.metrics();
    assert.match(metrics, /^outpost_store_damaged 1$/m);
    assert.match(metrics, /^outpost_sync_runs_total\{result="failed",reason="StoreCorrupt"\} 1$/m);
  });

  test('an LKG whose stored objects were emptied fails StoreCorrupt on the checksum and deletes nothing', async () => {
    const { lkg, before, offline } = await runningOffline();
    f.db.prepare(`UPDATE revisions SET objects = '[]' WHERE id = ?`).run(lkg.revisionId);
    f.sim.stats.reset();
    const run = await reconcile(offline, 'schedule');
    assert.equal(run.reason, 'StoreCorrupt', run.message ?? '');
    assert.match(run.message ?? '', /do not match their stored checksum/);
    assert.equal(f.sim.stats.writes, 0);
    assert.deepEqual(await labelled(f), before);
    assert.equal(readStatus(f.db).store.ok, false);
  });

  test('an LKG whose inventory no longer matches its objects fails StoreCorrupt and deletes nothing', async () => {
    const { lkg, before, offline } = await runningOffline();
    // Objects intact, inventory damaged: what was applied and what would be re-applied disagree.
    f.db.prepare(`DELETE FROM inventory WHERE revision_id = ? AND name = 'cm-1'`).run(lkg.revisionId);
    const run = await reconcile(offline, 'schedule');
    assert.equal(run.reason, 'StoreCorrupt', run.message ?? '');
    assert.match(run.message ?? '', /holds 7 object\(s\) but 6 were applied \(0 missing, 1 unknown\)/);
    assert.deepEqual(await labelled(f), before);
  });

  test('a manual rollback to a damaged stored revision fails StoreCorrupt naming it, before anything is applied', async () => {
    const { lkg, before } = await runningOffline();
    f.write({ ...SEVEN, 'cm-1.yaml': configMap('cm-1', 'v2') });
    assert.equal((await reconcile(f.deps, 'schedule')).result, 'succeeded');
    f.db
      .prepare(`UPDATE revisions SET objects = replace(objects, 'cm-6', 'cm-X') WHERE id = ?`)
      .run(lkg.revisionId);
    f.sim.stats.reset();
    const run = await reconcile(f.deps, 'cli', 'cli:root', { target: lkg.revisionId });
    assert.equal(run.reason, 'StoreCorrupt', run.message ?? '');
    assert.match(
      run.message ?? '',
      new RegExp(`revision ${lkg.revisionId} in the local store: its objects do not match`),
    );
    assert.equal(f.sim.stats.writes, 0);
    assert.deepEqual(await labelled(f), before);
  });

  test('a store that fails the start-up integrity check is the node state in status and metrics', async () => {
    f = await makeFleet(SEVEN);
    const healthy = createSyncService(f.deps);
    assert.equal(healthy.status().store.ok, true);
    assert.ok(healthy.status().store.checkedAt, 'the check ran at start-up');
    await healthy.stop();
    // What the check finds in a damaged file, as the service records it at start-up (damage itself: db.test.ts).
    const damaged = {
      ok: false,
      problems: ['Tree 7 page 12: btreeInitPage() returns error code 11'],
      ms: 1,
      at: 'x',
    };
    storeCheckResult.set(f.db, damaged);
    assert.equal(readStatus(f.db).store.ok, false);
    assert.match(readStatus(f.db).store.problem ?? '', /integrity check at start-up: Tree 7 page 12/);
    const registry = new Registry();
    const metrics = createSyncMetrics(registry);
    createSyncService({ ...f.deps, metrics });
    assert.match(
      await registry.metrics(),
      /^outpost_store_damaged 0$/m,
      'a fresh check of an intact file clears it',
    );
  });

  test('a prune of more than half the running objects is refused, nothing written, until confirmed', async () => {
    f = await makeFleet(SEVEN);
    assert.equal((await reconcile(f.deps, 'startup')).result, 'succeeded');
    const before = await labelled(f);
    f.write({ 'ns.yaml': NS, 'cm-1.yaml': configMap('cm-1', 'changed'), 'cm-2.yaml': configMap('cm-2') });
    f.sim.stats.reset();
    const refused = await reconcile(f.deps, 'schedule');
    assert.equal(refused.result, 'failed');
    assert.equal(refused.reason, 'MassPruneRefused', refused.message ?? '');
    assert.match(refused.message ?? '', /would delete 4 of 7 managed objects \(more than 50%\)/);
    assert.equal(f.sim.stats.writes, 0, 'not even the changed object was applied');
    assert.deepEqual(await labelled(f), before);
    assert.equal(readStatus(f.db).attempted?.reason, 'MassPruneRefused');

    const confirmed = await reconcile(f.deps, 'cli', 'cli:root', { allowMassPrune: true });
    assert.equal(confirmed.result, 'succeeded', confirmed.message ?? '');
    assert.equal(confirmed.changes.filter((c) => c.action === 'deleted').length, 4);
    assert.deepEqual(await labelled(f), [
      'v1 ConfigMap shop/cm-1',
      'v1 ConfigMap shop/cm-2',
      'v1 Namespace shop',
    ]);
  });

  test('a prune of exactly half the running objects goes ahead without confirmation', async () => {
    f = await makeFleet({
      'ns.yaml': NS,
      'a.yaml': configMap('a'),
      'b.yaml': configMap('b'),
      'c.yaml': configMap('c'),
    });
    assert.equal((await reconcile(f.deps, 'startup')).result, 'succeeded');
    f.write({ 'ns.yaml': NS, 'a.yaml': configMap('a') });
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
  });

  test('the maximum prune share comes from the policy (OUTPOST_MAX_PRUNE_RATIO)', async () => {
    f = await makeFleet({
      'ns.yaml': NS,
      'a.yaml': configMap('a'),
      'b.yaml': configMap('b'),
      'c.yaml': configMap('c'),
    });
    assert.equal((await reconcile(f.deps, 'startup')).result, 'succeeded');
    f.write({ 'ns.yaml': NS, 'a.yaml': configMap('a'), 'b.yaml': configMap('b') });
    const run = await reconcile({ ...f.deps, policy: { ...f.deps.policy, maxPruneRatio: 0.2 } }, 'schedule');
    assert.equal(run.reason, 'MassPruneRefused', run.message ?? '');
    assert.match(run.message ?? '', /1 of 4 managed objects \(more than 20%\)/);
  });
});
