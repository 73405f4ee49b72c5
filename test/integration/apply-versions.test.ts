// The no-change shortcut end to end against kubesim: an unchanged resync is a few LISTs and no dry run, and drift
// (data, a label, a deleted object, a recreated one) is still found and corrected by the next resync.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { reconcile } from '../../server/sync/reconciler.ts';
import { configMap, deployment, type Fleet, makeFleet, NS } from '../support/fleet.ts';

const CONFIGMAPS = 60;
const DEPLOYMENTS = 5;

function tree(): Record<string, string> {
  const files: Record<string, string> = { 'ns.yaml': NS };
  for (let i = 0; i < CONFIGMAPS; i++) files[`cm-${i}.yaml`] = configMap(`cm-${i}`);
  for (let i = 0; i < DEPLOYMENTS; i++) files[`web-${i}.yaml`] = deployment(`web-${i}`);
  return files;
}

describe('no-change resync', () => {
  let f: Fleet;
  const waitGone = async (ref: { apiVersion: string; kind: string; namespace: string; name: string }) => {
    for (let i = 0; i < 100 && (await f.cluster.get(ref)); i++) await new Promise((r) => setTimeout(r, 20));
  };
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name });
  before(async () => {
    f = await makeFleet(tree());
  });
  after(async () => {
    await f.close();
  });

  test('a first sync asks which names exist instead of a GET per new object', async () => {
    f.sim.stats.reset();
    const first = await reconcile(f.deps, 'startup');
    assert.equal(first.result, 'succeeded', first.message ?? '');
    assert.equal(
      f.sim.stats.byMethod.PATCH,
      1 + CONFIGMAPS + DEPLOYMENTS,
      'one apply per object, no dry run',
    );
    // Counted apart from the lists, watches and discovery, whose number follows how long the health wait polls.
    assert.ok(f.sim.stats.objectGets < CONFIGMAPS / 2, `object GETs: ${f.sim.stats.objectGets}`);
  });

  test('an unchanged resync makes a few requests, no dry run and no write, and reports every object unchanged', async () => {
    // The deployments' status moved after the first sync (the simulator's controller made them ready): their
    // resourceVersions changed, their generations did not.
    f.sim.stats.reset();
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.deepEqual(run.changes, []);
    assert.equal(run.unchanged, 1 + CONFIGMAPS + DEPLOYMENTS);
    assert.equal(f.sim.stats.writes, 0);
    assert.equal(f.sim.stats.byMethod.PATCH ?? 0, 0, 'no dry-run apply');
    assert.ok(
      f.sim.stats.requests <= 20,
      `${f.sim.stats.requests} requests: ${JSON.stringify(f.sim.stats.byMethod)}`,
    );
  });

  test('changed data in one object is found and corrected by the next resync, with one dry run', async () => {
    await f.cluster.apply(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cm-7', namespace: 'shop' },
        data: { key: 'x' },
      },
      { fieldManager: 'kubectl-edit', force: true },
    );
    f.sim.stats.reset();
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    const changed = run.changes.filter((c) => c.action !== 'unchanged');
    assert.deepEqual(
      changed.map((c) => `${c.action} ${c.ref}`),
      ['configured v1 ConfigMap shop/cm-7'],
    );
    assert.deepEqual((await f.cluster.get(cm('cm-7')))?.data, { key: 'v1' });
    assert.equal(f.sim.stats.writes, 1);
  });

  test('a label edit on a deployment (its generation unchanged) is still found and corrected', async () => {
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web-2' };
    const before = await f.cluster.get(ref);
    await f.cluster.apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web-2', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'someone' } },
      },
      { fieldManager: 'kubectl-label', force: true },
    );
    const edited = await f.cluster.get(ref);
    assert.equal(
      edited?.metadata.generation,
      before?.metadata.generation,
      'a label edit keeps the generation',
    );
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.deepEqual(
      run.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.ref}`),
      ['configured apps/v1 Deployment shop/web-2'],
    );
    assert.equal((await f.cluster.get(ref))?.metadata.labels?.['app.kubernetes.io/managed-by'], 'outpost');
  });

  test('an annotation another revision added through Outpost’s own manager is removed again', async () => {
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web-1' };
    const before = await f.cluster.get(ref);
    // What a crashed or rolled-back revision B leaves: Outpost's manager applied it with one more annotation.
    const b = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web-1',
        namespace: 'shop',
        labels: { 'app.kubernetes.io/managed-by': 'outpost' },
        annotations: { 'only-in-b': 'yes' },
      },
      spec: (before?.spec ?? {}) as Record<string, unknown>,
    };
    await f.cluster.apply(b, { fieldManager: 'outpost', force: true });
    const edited = await f.cluster.get(ref);
    assert.equal(edited?.metadata.generation, before?.metadata.generation, 'metadata only: same generation');
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.deepEqual(
      run.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.ref}`),
      ['configured apps/v1 Deployment shop/web-1'],
    );
    assert.equal((await f.cluster.get(ref))?.metadata.annotations?.['only-in-b'], undefined);
  });

  test('an object deleted behind Outpost’s back is created again by the next resync', async () => {
    assert.equal(await f.cluster.delete(cm('cm-11')), true);
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.deepEqual(
      run.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.ref}`),
      ['created v1 ConfigMap shop/cm-11'],
    );
    assert.ok(await f.cluster.get(cm('cm-11')));
  });

  test('a deployment deleted and recreated by someone else (a new uid, the same generation) is corrected', async () => {
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web-4' };
    const ours = await f.cluster.get(ref);
    assert.equal(await f.cluster.delete(ref), true);
    await waitGone(ref);
    const theirs = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web-4', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'outpost' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web-4' } },
        template: {
          metadata: { labels: { app: 'web-4' } },
          spec: { containers: [{ name: 'main', image: 'registry.example.com/web:other' }] },
        },
      },
    };
    const recreated = await f.cluster.apply(theirs, { fieldManager: 'someone' });
    assert.notEqual(recreated.metadata.uid, ours?.metadata.uid);
    assert.equal(recreated.metadata.generation, ours?.metadata.generation);
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.deepEqual(
      run.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.ref}`),
      ['configured apps/v1 Deployment shop/web-4'],
    );
    const spec = (await f.cluster.get(ref))?.spec as
      | { template: { spec: { containers: { image: string }[] } } }
      | undefined;
    const image = spec?.template.spec.containers[0]?.image;
    assert.equal(image, 'registry.example.com/web:1');
  });

  test('after corrections the following resync is back to no dry run and no write', async () => {
    f.sim.stats.reset();
    const run = await reconcile(f.deps, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.deepEqual(run.changes, []);
    assert.equal(f.sim.stats.writes, 0);
    assert.equal(f.sim.stats.byMethod.PATCH ?? 0, 0);
  });
});
