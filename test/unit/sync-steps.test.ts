// The reconciler's steps (store, commit, re-assert, roll back, drift report, prune guard) against the in-memory
// cluster and an in-memory store: what each writes to the store, what it does to the cluster, what it returns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MANAGED_BY } from '../../server/apply/labels.ts';
import type { KubeObject } from '../../server/cluster/types.ts';
import { refOf, refString } from '../../server/cluster/types.ts';
import { openDb } from '../../server/db/open.ts';
import {
  appliedVersions,
  getRevision,
  inFlightRevisions,
  inventory,
  markInFlight,
  revisionObjects,
  saveInventory,
  storeRevision,
} from '../../server/db/revisions.ts';
import { getRun, startRun } from '../../server/db/runs.ts';
import { heldRevision, holdRevision } from '../../server/sync/holds.ts';
import { lkgRevision } from '../../server/sync/state-keys.ts';
import {
  commit,
  reassert,
  reportDrift,
  rollBack,
  staleBefore,
  storeFetched,
} from '../../server/sync/steps.ts';
import { DEFAULT_POLICY, type ReconcilerDeps, StageFailure } from '../../server/sync/types.ts';
import { FakeCluster } from '../support/fake-cluster.ts';
import { silentLog } from '../support/log.ts';

const OURS = { [MANAGED_BY]: 'outpost' };
const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
const cm = (name: string, value = 'v1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'shop' },
  data: { key: value },
});
const key = (o: KubeObject) => refString(refOf(o));

/** A fresh store and an empty in-memory cluster, wired as the reconciler's deps. */
function fixture() {
  const db = openDb(':memory:');
  const cluster = new FakeCluster();
  const deps: ReconcilerDeps = {
    db,
    cluster,
    source: { kind: 'dir', url: 'file:///site', fetch: async () => ({ files: {} }), probe: async () => true },
    sourcePath: '.',
    log: silentLog,
  };
  let n = 0;
  /** Stores a revision of these objects (as the store stage would) and returns its id. */
  const store = (objects: KubeObject[]) =>
    storeRevision(db, {
      digest: `sha256:${String(++n).padEnd(64, 'a')}`,
      sourceKind: 'dir',
      sourceUrl: 'file:///site',
      sourcePath: '.',
      files: {},
      objects,
    }).id;
  /** Stores a revision, records it applied and makes it the LKG, as a successful run ends. */
  const lkgOf = (objects: KubeObject[]) => {
    const id = store(objects);
    commit(db, id, objects, DEFAULT_POLICY.retention);
    return lkgRevision.get(db) ?? assert.fail('no LKG after commit');
  };
  return { db, cluster, deps, store, lkgOf };
}

/** The live object as Outpost applied it, without what the server owns: comparable with a stored one. */
function content(o: KubeObject | undefined) {
  if (!o) return undefined;
  const { resourceVersion, uid, creationTimestamp, generation, managedFields, ...meta } = o.metadata;
  return { ...o, metadata: meta };
}
const owned = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, labels: { ...OURS } } });

test('storeFetched stores the revision once per identity and links it to the run', () => {
  const { db, deps } = fixture();
  const run = startRun(db, 'cli', null);
  const upstream = { files: { 'cm.yaml': 'x' }, digest: 'sha256:tree', unchanged: false, version: '7' };
  const inputs = { sourcePath: '.', vars: {}, strictVars: false, digest: 'sha256:inputs' };
  const id = storeFetched(deps, run, upstream, inputs, 'sha256:identity', [ns, cm('a')]);
  assert.equal(getRun(db, run)?.revisionId, id);
  const rev = getRevision(db, id);
  assert.equal(rev?.digest, 'sha256:identity');
  assert.equal(rev?.sourceDigest, 'sha256:tree');
  assert.equal(rev?.version, '7');
  assert.deepEqual(revisionObjects(db, id), [ns, cm('a')]);
  const again = startRun(db, 'cli', null);
  assert.equal(storeFetched(deps, again, upstream, inputs, 'sha256:identity', [ns, cm('a')]), id);
  assert.equal(getRun(db, again)?.revisionId, id);
});

test('commit moves the LKG pointer, records the inventory with versions and forgets what was in flight', () => {
  const { db, store, lkgOf } = fixture();
  const first = lkgOf([ns, cm('a')]);
  const next = store([ns, cm('a', 'v2'), cm('b')]);
  markInFlight(db, next);
  const version = { desiredDigest: 'd', resourceVersion: '42', uid: 'u', fieldsDigest: 'f', generation: 1 };
  commit(db, next, [ns, cm('a', 'v2'), cm('b')], 20, new Map([[key(cm('b')), version]]));
  const lkg = lkgRevision.get(db);
  assert.notEqual(lkg?.revisionId, first.revisionId);
  assert.equal(lkg?.revisionId, next);
  assert.equal(lkg?.digest, getRevision(db, next)?.digest);
  assert.equal(getRevision(db, next)?.status, 'applied');
  assert.deepEqual(inventory(db, next).map(refString).sort(), [ns, cm('a'), cm('b')].map(key).sort());
  assert.deepEqual([...appliedVersions(db, next)], [[key(cm('b')), version]]);
  assert.deepEqual(inFlightRevisions(db), []);
});

test('commit keeps only `retention` revisions besides the LKG and the held one', () => {
  const { db, store } = fixture();
  const held = store([cm('held')]);
  holdRevision(db, {
    digest: getRevision(db, held)?.digest ?? '',
    revisionId: held,
    from: 'x',
    to: null,
    reason: 'HealthFailed',
    message: 'm',
    at: new Date().toISOString(),
  });
  const old = store([cm('old')]);
  const mid = store([cm('mid')]);
  const last = store([cm('last')]);
  commit(db, last, [cm('last')], 1);
  assert.equal(getRevision(db, old), null);
  assert.equal(getRevision(db, mid), null);
  assert.ok(getRevision(db, held), 'the held revision is kept');
  assert.ok(getRevision(db, last), 'the LKG is kept');
});

test('reassert applies the stored LKG to a wiped cluster and says what it created', async () => {
  const { cluster, deps, lkgOf } = fixture();
  const lkg = lkgOf([ns, cm('a')]);
  const changes = await reassert(deps, lkg);
  assert.deepEqual(
    changes.map((c) => `${c.action} ${c.ref}`),
    ['created v1 Namespace shop', 'created v1 ConfigMap shop/a'],
  );
  assert.deepEqual(content(cluster.objects.get(key(cm('a')))), owned(cm('a')));
});

test('reassert corrects drift, leaves the rest alone and prunes what an interrupted apply left', async () => {
  const { db, cluster, deps, store, lkgOf } = fixture();
  const lkg = lkgOf([ns, cm('a'), cm('b')]);
  cluster.seed(owned(ns), owned(cm('a', 'edited by hand')), owned(cm('b')), owned(cm('leftover')));
  // A run that applied `leftover` was killed before it committed or rolled back.
  const interrupted = store([ns, cm('a'), cm('b'), cm('leftover')]);
  markInFlight(db, interrupted);
  const changes = await reassert(deps, lkg);
  const actions = Object.fromEntries(changes.map((c) => [c.ref, c.action]));
  assert.deepEqual(actions, {
    'v1 Namespace shop': 'unchanged',
    'v1 ConfigMap shop/a': 'configured',
    'v1 ConfigMap shop/b': 'unchanged',
    'v1 ConfigMap shop/leftover': 'deleted',
  });
  assert.deepEqual(content(cluster.objects.get(key(cm('a')))), owned(cm('a')));
  assert.equal(cluster.objects.has(key(cm('leftover'))), false);
  assert.deepEqual(inFlightRevisions(db), []);
  // Only the drifted object was written.
  assert.deepEqual(
    cluster.callsOf('apply', { dryRun: false }).map((c) => c.target),
    [key(cm('a'))],
  );
});

test('reassert refuses an LKG whose stored objects do not match its inventory, and touches nothing', async () => {
  const { db, cluster, deps, lkgOf } = fixture();
  const lkg = lkgOf([ns, cm('a')]);
  saveInventory(db, lkg.revisionId, [refOf(ns), refOf(cm('a')), refOf(cm('lost'))]);
  cluster.seed(owned(cm('lost')));
  await assert.rejects(reassert(deps, lkg), (err: unknown) => {
    assert.ok(err instanceof StageFailure);
    assert.equal(err.reason, 'StoreCorrupt');
    return true;
  });
  assert.equal(cluster.callsOf('apply').length + cluster.callsOf('delete').length, 0);
  assert.ok(cluster.objects.has(key(cm('lost'))));
});

test('rollBack re-applies the LKG, removes what only the failed revision added, and holds it', async () => {
  const { db, cluster, deps, store, lkgOf } = fixture();
  const lkg = lkgOf([ns, cm('a')]);
  const failed = store([ns, cm('a', 'v2'), cm('new')]);
  // What the failed revision managed to apply before it failed.
  cluster.seed(owned(ns), owned(cm('a', 'v2')), owned(cm('new')));
  const failure = new StageFailure('HealthFailed', 'shop/web never became ready');
  const outcome = await rollBack(deps, failed, lkg, failure, DEFAULT_POLICY);
  assert.equal(outcome.result, 'rolled-back');
  assert.equal(outcome.reason, 'HealthFailed');
  assert.match(
    outcome.message ?? '',
    /^rolled back from 2a{11} to 1a{11} because HealthFailed: shop\/web never/,
  );
  const actions = Object.fromEntries(outcome.changes.map((c) => [c.ref, c.action]));
  assert.equal(actions['v1 ConfigMap shop/a'], 'configured');
  assert.equal(actions['v1 ConfigMap shop/new'], 'deleted');
  assert.deepEqual([...cluster.objects.keys()].sort(), [key(ns), key(cm('a'))].sort());
  assert.deepEqual(content(cluster.objects.get(key(cm('a')))), owned(cm('a')));
  assert.equal(getRevision(db, failed)?.status, 'failed');
  const held = heldRevision(db);
  assert.equal(held?.revisionId, failed);
  assert.equal(held?.reason, 'HealthFailed');
  assert.equal(held?.to, lkg.digest.replace(/^sha256:/, '').slice(0, 12));
  assert.equal(lkgRevision.get(db)?.revisionId, lkg.revisionId, 'the LKG pointer stays');
});

test('rollBack of a first rollout removes everything it created', async () => {
  const { db, cluster, deps, store } = fixture();
  const failed = store([ns, cm('a')]);
  cluster.seed(owned(ns), owned(cm('a')));
  const outcome = await rollBack(
    deps,
    failed,
    null,
    new StageFailure('ApplyFailed', 'refused'),
    DEFAULT_POLICY,
  );
  assert.equal(outcome.result, 'rolled-back');
  assert.match(outcome.message ?? '', /^removed 1a{11} because ApplyFailed: refused$/);
  assert.equal(cluster.objects.size, 0);
  assert.equal(heldRevision(db)?.to, null);
});

test('rollBack after the cluster failed (503) rolls back but does not hold the revision', async () => {
  const { db, deps, store, lkgOf } = fixture();
  const lkg = lkgOf([ns, cm('a')]);
  const failed = store([ns, cm('a', 'v2')]);
  const failure = new StageFailure('ApplyFailed', 'busy', {
    cause: FakeCluster.error(503, 'ServiceUnavailable'),
  });
  const outcome = await rollBack(deps, failed, lkg, failure, DEFAULT_POLICY);
  assert.equal(outcome.result, 'rolled-back');
  assert.match(outcome.message ?? '', /not held, the next run tries it again/);
  assert.equal(heldRevision(db), null);
  assert.match(getRevision(db, failed)?.message ?? '', /not held/);
});

test('rollBack that cannot re-apply the LKG says RollbackFailed, still holding the failed revision', async () => {
  const { db, cluster, deps, store, lkgOf } = fixture();
  const lkg = lkgOf([ns, cm('a')]);
  const failed = store([ns, cm('a', 'v2')]);
  cluster.failOn('apply', FakeCluster.error(422, 'Invalid', 'admission webhook denied'), key(ns));
  const outcome = await rollBack(deps, failed, lkg, new StageFailure('HealthFailed', 'x'), DEFAULT_POLICY);
  assert.equal(outcome.result, 'failed');
  assert.equal(outcome.reason, 'RollbackFailed');
  assert.match(outcome.message ?? '', /rolling back to 1a{11} failed: .*admission webhook denied/);
  assert.equal(heldRevision(db)?.revisionId, failed);
});

test('reportDrift names each drifted object and its fields, and writes nothing', async () => {
  const { cluster, deps, lkgOf } = fixture();
  const lkg = lkgOf([ns, cm('a'), cm('b'), cm('gone')]);
  cluster.seed(owned(ns), owned(cm('a', 'edited')), owned(cm('b')));
  const drift = await reportDrift(deps, lkg, DEFAULT_POLICY);
  assert.deepEqual(drift, [
    { ref: key(cm('a')), action: 'skipped', error: 'drift: data.key' },
    { ref: key(cm('gone')), action: 'skipped', error: 'drift: missing from the cluster' },
  ]);
  assert.equal(cluster.callsOf('apply', { dryRun: false }).length, 0);
  assert.deepEqual(content(cluster.objects.get(key(cm('a')))), owned(cm('a', 'edited')));
});

test('staleBefore names what the LKG and interrupted applies own that the new revision lacks', () => {
  const { db, store, lkgOf } = fixture();
  const lkg = lkgOf([ns, cm('a'), cm('b'), cm('c')]);
  markInFlight(db, store([ns, cm('a'), cm('half-applied')]));
  const stale = staleBefore(db, lkg, [ns, cm('a'), cm('b')], DEFAULT_POLICY);
  assert.deepEqual(stale.map(refString).sort(), [key(cm('c')), key(cm('half-applied'))].sort());
});

test('staleBefore refuses a prune of more than the allowed share of the running objects', () => {
  const { db, lkgOf } = fixture();
  const lkg = lkgOf([ns, cm('a'), cm('b'), cm('c')]);
  assert.throws(
    () => staleBefore(db, lkg, [ns], DEFAULT_POLICY),
    (err: unknown) => err instanceof StageFailure && err.reason === 'MassPruneRefused',
  );
  assert.equal(staleBefore(db, lkg, [ns], { ...DEFAULT_POLICY, maxPruneRatio: 1 }).length, 3);
});
