// The reconciler end to end against kubesim: apply, resync, prune, and every kind of bad day keeping the LKG.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dirSource } from '../../server/sources/dir.ts';
import { reconcile } from '../../server/sync/reconciler.ts';
import { lkgRevision } from '../../server/sync/state-keys.ts';
import { readStatus } from '../../server/sync/status.ts';
import { configMap, deployment, type Fleet, makeFleet, NS } from '../support/fleet.ts';

const good = { 'ns.yaml': NS, 'app/cm.yaml': configMap('settings'), 'app/web.yaml': deployment('web') };

describe('sync', () => {
  let f: Fleet;
  before(async () => {
    f = await makeFleet(good);
  });
  after(async () => {
    await f.close();
  });

  /** Each test's own starting point (so any one runs alone): the good tree applied and last-known-good. */
  async function appliedGood() {
    f.write(good);
    const run = await reconcile(f.deps, 'sync-now');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    return lkgRevision.get(f.db);
  }

  // The first test of the file: it runs on the fresh cluster, alone or with the others.
  test('a first sync creates every object with owner labels and becomes last-known-good', async () => {
    const run = await reconcile(f.deps, 'startup');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.deepEqual(
      run.changes.map((c) => `${c.action} ${c.ref}`),
      [
        'created v1 Namespace shop',
        'created v1 ConfigMap shop/settings',
        'created apps/v1 Deployment shop/web',
      ],
    );
    assert.deepEqual(
      run.stages.map((s) => s.stage),
      ['fetch', 'render', 'plan', 'store', 'apply', 'prune', 'health', 'commit'],
    );
    const cm = await f.cluster.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'shop',
      name: 'settings',
    });
    assert.equal(cm?.metadata.labels?.['app.kubernetes.io/managed-by'], 'outpost');
    const managers = ((cm?.metadata.managedFields ?? []) as { manager: string }[]).map((m) => m.manager);
    assert.ok(managers.includes('outpost'));
    const status = readStatus(f.db);
    assert.equal(status.applied?.objects, 3);
    assert.equal(status.attempted?.result, 'succeeded');
    assert.equal(status.upstream.reachable, true);
  });

  test('an unchanged resync reports every object unchanged and makes no write request', async () => {
    await appliedGood();
    f.sim.stats.reset();
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded');
    assert.ok(
      run.changes.every((c) => c.action === 'unchanged'),
      JSON.stringify(run.changes),
    );
    assert.equal(f.sim.stats.writes, 0);
    assert.ok(f.sim.stats.requests > 0);
  });

  test('a changed object is configured and a removed one is pruned', async () => {
    await appliedGood();
    f.write({ 'ns.yaml': NS, 'app/cm.yaml': configMap('settings', 'v2') });
    const run = await reconcile(f.deps, 'sync-now');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    const actions = Object.fromEntries(run.changes.map((c) => [c.ref, c.action]));
    assert.equal(actions['v1 ConfigMap shop/settings'], 'configured');
    assert.equal(actions['apps/v1 Deployment shop/web'], 'deleted');
    assert.equal(
      await f.cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' }),
      null,
    );
  });

  test('unreadable YAML fails the run as RenderFailed naming the file, and the LKG stays', async () => {
    const lkg = await appliedGood();
    f.write({ 'ns.yaml': NS, 'app/cm.yaml': 'apiVersion: v1\nkind: [ConfigMap\n' });
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'failed');
    assert.equal(run.reason, 'RenderFailed');
    assert.match(run.message ?? '', /app\/cm.yaml: not valid YAML at line/);
    assert.deepEqual(lkgRevision.get(f.db), lkg);
    const status = readStatus(f.db);
    assert.equal(status.attempted?.reason, 'RenderFailed');
    assert.equal(status.applied?.digest, lkg?.digest);
    const cm = await f.cluster.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'shop',
      name: 'settings',
    });
    assert.equal((cm?.data as { key: string } | undefined)?.key, 'v1');
  });

  test('an object without kind fails as ValidationFailed naming the object, and nothing is applied', async () => {
    await appliedGood();
    f.write({
      'ns.yaml': NS,
      'app/cm.yaml': configMap('settings', 'v3'),
      'app/bad.yaml': 'apiVersion: v1\nmetadata:\n  name: nameless-kind\n',
    });
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.reason, 'ValidationFailed');
    assert.match(run.message ?? '', /v1 \? nameless-kind: kind is missing/);
    const cm = await f.cluster.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'shop',
      name: 'settings',
    });
    assert.equal((cm?.data as { key: string } | undefined)?.key, 'v1');
  });

  test('a namespaced object without a namespace fails validation before anything is applied', async () => {
    f.write({ 'ns.yaml': NS, 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: orphan\n' });
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.reason, 'ValidationFailed');
    assert.match(run.message ?? '', /v1 ConfigMap orphan: metadata.namespace is required/);
  });

  test('an unknown kind fails validation with the kind named', async () => {
    f.write({
      'ns.yaml': NS,
      'x.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: shop\n',
    });
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.reason, 'ValidationFailed');
    assert.match(run.message ?? '', /does not know kind Widget in example.com\/v1/);
  });

  test('an API server answering 500 to every dry run retry fails as ValidationFailed naming the object; nothing written', async () => {
    const lkg = await appliedGood();
    f.write({ 'ns.yaml': NS, 'app/cm.yaml': configMap('settings', 'v4') });
    // On every retry: a single 5xx is retried by the client (test/integration/faults.test.ts). The changed
    // ConfigMap is dry-run; the unchanged Namespace needs no dry run (its verified version is still live).
    f.sim.faults.inject({ status: 500, method: 'PATCH', pathIncludes: 'configmaps/settings?', times: 50 });
    f.sim.stats.reset();
    const run = await reconcile(f.deps, 'schedule');
    f.sim.faults.clear();
    assert.equal(run.result, 'failed');
    assert.equal(run.reason, 'ValidationFailed');
    assert.match(run.message ?? '', /^v1 ConfigMap shop\/settings: the cluster refused it in a dry run: /);
    assert.equal(f.sim.stats.writes, 0);
    assert.deepEqual(lkgRevision.get(f.db), lkg);
    assert.equal(readStatus(f.db).applied?.digest, lkg?.digest);
  });

  test('an API server that drops connections fails as ClusterUnreachable and keeps the LKG', async () => {
    const lkg = await appliedGood();
    f.cluster.invalidateDiscovery();
    f.sim.faults.inject({ dropConnection: true });
    const run = await reconcile(f.deps, 'schedule');
    f.sim.faults.clear();
    assert.equal(run.result, 'failed');
    assert.equal(run.reason, 'ClusterUnreachable', run.message ?? '');
    assert.deepEqual(lkgRevision.get(f.db), lkg);
  });

  test('a missing source folder fails as FetchFailed and marks the upstream unreachable', async () => {
    await appliedGood();
    const run = await reconcile({ ...f.deps, source: dirSource('/nonexistent/outpost') }, 'schedule');
    assert.equal(run.reason, 'FetchFailed');
    assert.match(run.message ?? '', /cannot read folder \/nonexistent\/outpost/);
    const status = readStatus(f.db);
    assert.equal(status.upstream.reachable, false);
    assert.ok(status.upstream.unreachableSince);
    assert.ok(status.applied);
  });
});

describe('drift', () => {
  let f: Fleet;
  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'v1') });
    assert.equal((await reconcile(f.deps, 'startup')).result, 'succeeded');
  });
  after(async () => {
    await f.close();
  });

  const tamper = () =>
    f.cluster.apply(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'shop' },
        data: { key: 'hacked' },
      },
      { fieldManager: 'kubectl-edit', force: true },
    );
  const value = async () =>
    (
      (await f.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'settings' }))
        ?.data as { key: string } | undefined
    )?.key;

  test('drift is reported, not corrected, when configured to report', async () => {
    await tamper();
    f.sim.stats.reset();
    const run = await reconcile({ ...f.deps, policy: { ...f.deps.policy, drift: 'report' } }, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.match(run.message ?? '', /drift on 1 object\(s\) reported/);
    assert.deepEqual(run.changes, [
      { ref: 'v1 ConfigMap shop/settings', action: 'skipped', error: 'drift: data.key' },
    ]);
    assert.equal(await value(), 'hacked');
    assert.equal(f.sim.stats.writes, 0);
  });

  test('drift is corrected by a scheduled run with an unchanged upstream', async () => {
    await tamper();
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded');
    assert.match(run.message ?? '', /corrected drift on 1 object/);
    assert.equal(await value(), 'v1');
  });
});

describe('conflicts', () => {
  let f: Fleet;
  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS });
    assert.equal((await reconcile(f.deps, 'startup')).result, 'succeeded');
    // Someone else manages this ConfigMap's key before Outpost's revision claims it.
    await f.cluster.apply(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'shared', namespace: 'shop' },
        data: { key: 'theirs' },
      },
      { fieldManager: 'helm' },
    );
    f.write({ 'ns.yaml': NS, 'cm.yaml': configMap('shared', 'ours') });
  });
  after(async () => {
    await f.close();
  });

  test('a field another manager owns fails the plan by default, naming the manager and field', async () => {
    const run = await reconcile(f.deps, 'schedule');
    // Found by the whole-set dry run: reported before anything is written.
    assert.equal(run.reason, 'ValidationFailed');
    assert.match(run.message ?? '', /v1 ConfigMap shop\/shared: .*conflict with "helm".*\.data\.key/);
  });

  test('with conflicts: force, a retry of the held revision takes the field over', async () => {
    const deps = { ...f.deps, policy: { ...f.deps.policy, forceConflicts: true } };
    const run = await reconcile(deps, 'retry', 'tech', { retry: true });
    assert.equal(run.result, 'succeeded', run.message ?? '');
    const cm = await f.cluster.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'shop',
      name: 'shared',
    });
    assert.equal((cm?.data as { key: string } | undefined)?.key, 'ours');
  });
});
