// The reconcile lease end to end: a pod replaced mid-sync (rollout, eviction) blocks the next one only until its
// lease runs out; then the new pod syncs and the old pod's run is closed, not left "running".
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getRun, startRun } from '../../server/db/runs.ts';
import { LEASE_MS, lockLease } from '../../server/sync/lock.ts';
import { reconcile } from '../../server/sync/reconciler.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';

describe('reconcile lease', () => {
  let f: Fleet;
  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings') });
  });
  after(async () => {
    await f.close();
  });

  // Before leases, a holder on another host counted as alive forever: this waited 600 s and failed.
  test('a new pod takes over the lease a replaced pod left, within the bound, and syncs', {
    timeout: 2 * LEASE_MS,
  }, async () => {
    const orphan = startRun(f.db, 'schedule', null);
    // The old pod renewed last LEASE_MS - 1.5 s ago: its lease runs out while the new pod waits.
    const renewedAt = Date.now() - LEASE_MS + 1500;
    lockLease.set(f.db, {
      pid: 1,
      host: 'outpost-6c9d4-replaced',
      since: new Date(renewedAt - 120_000).toISOString(),
      renewedAt: new Date(renewedAt).toISOString(),
    });
    const run = await reconcile(f.deps, 'startup');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    const old = getRun(f.db, orphan);
    assert.equal(old?.result, 'failed');
    assert.equal(old?.reason, 'Interrupted');
    assert.match(old?.message ?? '', /outpost-6c9d4-replaced stopped renewing its lease/);
  });
});
