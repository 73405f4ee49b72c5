// One reconcile() top to bottom against the in-memory cluster and an in-memory store: a clean first rollout, an
// apply the cluster refuses halfway (rolled back to the LKG and held), and a dry-run refusal that writes nothing.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { withOwnerLabels } from '../../server/apply/labels.ts';
import type { KubeObject } from '../../server/cluster/types.ts';
import { refOf, refString } from '../../server/cluster/types.ts';
import { openDb } from '../../server/db/open.ts';
import { getRevision, inventory, revisionObjects } from '../../server/db/revisions.ts';
import { dirSource } from '../../server/sources/dir.ts';
import { heldRevision } from '../../server/sync/holds.ts';
import { reconcile } from '../../server/sync/reconciler.ts';
import { lkgRevision } from '../../server/sync/state-keys.ts';
import type { ReconcilerDeps } from '../../server/sync/types.ts';
import { FakeCluster } from '../support/fake-cluster.ts';
import { configMap, NS } from '../support/fleet.ts';
import { silentLog } from '../support/log.ts';

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  ports: [{port: 80}]
`;
const good = { 'ns.yaml': NS, 'a.yaml': configMap('a'), 'b.yaml': configMap('b') };

/** A source folder, an in-memory store and the in-memory cluster, wired as the reconciler's deps. */
function fixture(t: TestContext) {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-reconciler-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (files: Record<string, string>) => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  };
  write(good);
  const db = openDb(':memory:');
  t.after(() => db.close());
  const cluster = new FakeCluster();
  const deps: ReconcilerDeps = { db, cluster, source: dirSource(dir), sourcePath: '.', log: silentLog };
  return { db, cluster, deps, write };
}

/** The live object without what the server owns: comparable with a stored object as Outpost sends it. */
function content(o: KubeObject | undefined) {
  if (!o) return undefined;
  const { resourceVersion, uid, creationTimestamp, generation, managedFields, ...meta } = o.metadata;
  return { ...o, metadata: meta };
}

test('a first run applies every object, commits it as the LKG and records each object applied', async (t) => {
  const { db, cluster, deps } = fixture(t);
  const run = await reconcile(deps, 'startup');
  assert.equal(run.result, 'succeeded', run.message ?? '');
  assert.deepEqual(
    run.changes.map((c) => `${c.action} ${c.ref}`),
    ['created v1 Namespace shop', 'created v1 ConfigMap shop/a', 'created v1 ConfigMap shop/b'],
  );
  const lkg = lkgRevision.get(db);
  assert.equal(lkg?.revisionId, run.revisionId);
  assert.equal(getRevision(db, lkg?.revisionId ?? -1)?.status, 'applied');
  assert.equal(inventory(db, lkg?.revisionId ?? -1).length, 3);
  assert.equal(cluster.objects.size, 3);
});

test('an apply the cluster refuses halfway rolls back: the cluster holds exactly the LKG again', async (t) => {
  const { db, cluster, deps, write } = fixture(t);
  const first = await reconcile(deps, 'startup');
  assert.equal(first.result, 'succeeded', first.message ?? '');
  const lkg = lkgRevision.get(db) ?? assert.fail('no LKG');
  // The next revision edits `a`, adds `extra` (applied first: ConfigMaps go before Services), drops `b`, and adds
  // a Service the API server refuses on the real write (its dry run passed).
  write({
    'ns.yaml': NS,
    'a.yaml': configMap('a', 'v2'),
    'extra.yaml': configMap('extra'),
    'svc.yaml': SERVICE,
  });
  cluster.failOn(
    'apply',
    FakeCluster.error(422, 'Invalid', 'spec.ports: port in use'),
    'v1 Service shop/web',
    {
      dryRun: false,
    },
  );
  const run = await reconcile(deps, 'sync-now');
  assert.equal(run.result, 'rolled-back', run.message ?? '');
  assert.equal(run.reason, 'ApplyFailed');
  assert.notEqual(run.revisionId, lkg.revisionId);
  // The apply got as far as `a` and `extra` before the Service failed.
  assert.ok(cluster.callsOf('apply', { dryRun: false }).some((c) => c.target === 'v1 ConfigMap shop/extra'));

  const stored = revisionObjects(db, lkg.revisionId);
  assert.deepEqual([...cluster.objects.keys()].sort(), stored.map((o) => refString(refOf(o))).sort());
  for (const o of stored)
    assert.deepEqual(
      content(cluster.objects.get(refString(refOf(o)))),
      withOwnerLabels(o),
      refString(refOf(o)),
    );
  assert.equal(lkgRevision.get(db)?.revisionId, lkg.revisionId, 'the LKG pointer stays');
  assert.equal(heldRevision(db)?.revisionId, run.revisionId);
  assert.equal(getRevision(db, run.revisionId ?? -1)?.status, 'failed');

  // Each object once, with the last thing the run did to it.
  const refs = run.changes.map((c) => c.ref);
  assert.equal(new Set(refs).size, refs.length, JSON.stringify(refs));
  const actions = Object.fromEntries(run.changes.map((c) => [c.ref, c.action]));
  assert.equal(actions['v1 ConfigMap shop/a'], 'configured');
  assert.equal(actions['v1 ConfigMap shop/extra'], 'deleted');
  assert.equal(actions['v1 Service shop/web'], 'failed');
});

// Only objects already live take the plan's dry run (a new one may need a namespace or CRD the same run creates).
test("a dry run the cluster refuses fails the run before anything is written and doesn't hold it", async (t) => {
  const { db, cluster, deps, write } = fixture(t);
  const first = await reconcile(deps, 'startup');
  assert.equal(first.result, 'succeeded', first.message ?? '');
  const before = structuredClone([...cluster.objects]);
  write({ ...good, 'a.yaml': configMap('a', 'v2'), 'extra.yaml': configMap('extra') });
  cluster.failOn('apply', FakeCluster.error(422, 'Invalid', 'data.key: invalid'), 'v1 ConfigMap shop/a', {
    dryRun: true,
  });
  const writes = cluster.callsOf('apply', { dryRun: false }).length;
  const run = await reconcile(deps, 'sync-now');
  assert.equal(run.result, 'failed');
  assert.equal(run.reason, 'ValidationFailed');
  assert.match(
    run.message ?? '',
    /v1 ConfigMap shop\/a: the cluster refused it in a dry run: data.key: invalid/,
  );
  assert.equal(cluster.callsOf('apply', { dryRun: false }).length, writes);
  assert.deepEqual([...cluster.objects], before);
  assert.equal(heldRevision(db), null);
  assert.equal(lkgRevision.get(db)?.revisionId, first.revisionId);
});
