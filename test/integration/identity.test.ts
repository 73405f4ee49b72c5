// Revision identity: what is applied is identified by the fetched tree and the render inputs (the variables), so a
// variable changed under an unchanged tree is new content — stored, reported and re-asserted as such.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../server/cluster/types.ts';
import { listRevisions, revisionObjects } from '../../server/db/revisions.ts';
import { treeDigest } from '../../server/sources/digest.ts';
import { heldRevision, holdRevision } from '../../server/sync/holds.ts';
import { reconcile } from '../../server/sync/reconciler.ts';
import type { VarsSettings } from '../../server/sync/vars.ts';
import { type Fleet, makeFleet, NS } from '../support/fleet.ts';

const GREETING = `apiVersion: v1
kind: ConfigMap
metadata:
  name: greeting
  namespace: shop
data:
  text: "\${GREETING}"
`;

const vars = (greeting: string): VarsSettings => ({
  values: { GREETING: greeting },
  strict: true,
  nodeName: 'outpost-sim-node',
});

describe('revision identity', () => {
  let f: Fleet;
  const text = (o: KubeObject | null | undefined) => (o?.data as Record<string, string> | undefined)?.text;
  const live = async () =>
    text(await f.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'greeting' }));
  const storedText = (revisionId: number) =>
    text(revisionObjects(f.db, revisionId).find((o) => o.kind === 'ConfigMap'));

  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'greeting.yaml': GREETING });
  });
  after(async () => {
    await f.close();
  });

  // Each test starts from the tree as published and the first revision (GREETING=hello) stored.
  let first: number;
  before(async () => {
    const run = await reconcile({ ...f.deps, vars: vars('hello') }, 'startup');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    first = run.revisionId as number;
  });
  const restore = () => f.write({ 'ns.yaml': NS, 'greeting.yaml': GREETING });

  test('an unchanged tree with unchanged variables is a re-assert of the same revision', async () => {
    restore();
    await reconcile({ ...f.deps, vars: vars('hello') }, 'schedule');
    const count = listRevisions(f.db).length;
    const again = await reconcile({ ...f.deps, vars: vars('hello') }, 'schedule');
    assert.equal(again.result, 'succeeded', again.message ?? '');
    assert.equal(again.revisionId, first);
    assert.equal(listRevisions(f.db).length, count, 'no new revision stored');
  });

  test('a variable changed under an unchanged tree is new content, stored with the new objects', async () => {
    restore();
    await reconcile({ ...f.deps, vars: vars('hello') }, 'schedule');
    const run = await reconcile({ ...f.deps, vars: vars('bonjour') }, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.doesNotMatch(run.message ?? '', /drift/);
    assert.match(run.message ?? '', /applied and healthy$/);
    const second = run.revisionId as number;
    assert.notEqual(second, first, 'a new revision, not the old one re-asserted');
    assert.equal(storedText(second), 'bonjour');
    assert.equal(storedText(first), 'hello', 'the first revision keeps what was applied under it');
    assert.equal(await live(), 'bonjour');
    const changed = run.changes.find((c) => c.ref.includes('ConfigMap shop/greeting'));
    assert.equal(changed?.action, 'configured');
  });

  test('an offline re-assert keeps the new value', async () => {
    restore();
    assert.equal((await reconcile({ ...f.deps, vars: vars('bonjour') }, 'schedule')).result, 'succeeded');
    const edit = (text: string) =>
      f.cluster.apply(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'greeting', namespace: 'shop' },
          data: { text },
        },
        { fieldManager: 'someone', force: true },
      );
    await edit('edited by hand');
    const reassert = await reconcile({ ...f.deps, vars: vars('bonjour') }, 'schedule', null, {
      reassertOnly: true,
    });
    assert.equal(reassert.result, 'succeeded', reassert.message ?? '');
    assert.equal(await live(), 'bonjour');
    // With the upstream gone the fetch fails and the LKG is re-asserted from the store: still the new value.
    rmSync(f.sourceDir, { recursive: true, force: true });
    await edit('edited again');
    const offline = await reconcile({ ...f.deps, vars: vars('bonjour') }, 'schedule');
    assert.equal(offline.reason, 'FetchFailed');
    assert.match(offline.message ?? '', /re-asserted revision/);
    assert.deepEqual(
      offline.stages.map((s) => s.stage),
      ['fetch', 'reassert'],
    );
    assert.equal(await live(), 'bonjour');
  });

  test('the variable set back is the first revision again, applied as new content', async () => {
    restore();
    assert.equal((await reconcile({ ...f.deps, vars: vars('bonjour') }, 'schedule')).result, 'succeeded');
    const run = await reconcile({ ...f.deps, vars: vars('hello') }, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.equal(run.revisionId, first);
    assert.doesNotMatch(run.message ?? '', /drift/);
    assert.equal(await live(), 'hello');
  });
});

describe('revision identity after the upgrade to it', () => {
  let f: Fleet;
  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'greeting.yaml': GREETING });
  });
  after(async () => {
    await f.close();
  });

  test('a hold recorded before identity covered the render inputs (by tree digest) still holds that tree', async () => {
    assert.equal((await reconcile({ ...f.deps, vars: vars('hello') }, 'startup')).result, 'succeeded');
    const next = { 'ns.yaml': NS, 'greeting.yaml': GREETING.replace('text:', 'other: "x"\n  text:') };
    f.write(next);
    holdRevision(f.db, {
      digest: treeDigest(next),
      revisionId: null,
      from: 'aaaaaaaaaaaa',
      to: 'bbbbbbbbbbbb',
      reason: 'HealthFailed',
      message: 'rolled back before the upgrade',
      at: new Date().toISOString(),
    });
    const run = await reconcile({ ...f.deps, vars: vars('hello') }, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.match(run.message ?? '', /is held: rolled back before the upgrade/);
    assert.notEqual(heldRevision(f.db), null);
  });
});
