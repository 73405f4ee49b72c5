// After a restart: the workload page follows the rollout until every pod is new and ready.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodSummary } from '../../server/cluster/reads.ts';
import type { WorkloadView } from '../../server/sync/cluster-view.ts';
import { FOLLOW_RESTART_MS, rolloutOf } from '../../server/web/models/rollout.ts';

const RESTART = '2026-12-02T11:50:00.700Z';
const now = Date.parse(RESTART) + 5_000;
const pod = (name: string, startedAt: string | null, ready = true): PodSummary => ({
  namespace: 'shop',
  name,
  phase: ready ? 'Running' : 'Pending',
  readyContainers: ready ? 1 : 0,
  containers: ['web'],
  restarts: 0,
  reason: null,
  message: null,
  owner: { kind: 'Deployment', name: 'web' },
  node: 'gw',
  startedAt,
});
const web = (over: Partial<WorkloadView>): WorkloadView => ({
  kind: 'Deployment',
  namespace: 'shop',
  name: 'web',
  desired: 2,
  ready: 2,
  updated: 2,
  images: ['shop/web:1'],
  restartedAt: RESTART,
  rollingOut: false,
  createdAt: null,
  state: 'ok',
  problem: null,
  pods: [],
  restarts: 0,
  managed: true,
  ...over,
});

test('no restart lately: nothing to follow', () => {
  assert.equal(rolloutOf(web({ restartedAt: null }), now), null);
  assert.equal(rolloutOf(web({}), Date.parse(RESTART) + FOLLOW_RESTART_MS + 1), null);
});

test('old pods still there or new ones not ready: in progress, with how many are new and ready', () => {
  const old = pod('web-a', '2026-12-01T08:00:00Z');
  assert.deepEqual(rolloutOf(web({ updated: 1, ready: 2, pods: [old, pod('web-b', RESTART)] }), now), {
    ready: 1,
    want: 2,
    done: false,
  });
  // The controller says all is updated, but an old pod is still terminating.
  assert.equal(
    rolloutOf(web({ pods: [old, pod('web-b', RESTART), pod('web-c', RESTART)] }), now)?.done,
    false,
  );
});

test('every pod new and ready: done, even one started in the restart second (start times have whole seconds)', () => {
  const pods = [pod('web-b', '2026-12-02T11:50:00Z'), pod('web-c', '2026-12-02T11:50:02Z')];
  assert.deepEqual(rolloutOf(web({ pods }), now), { ready: 2, want: 2, done: true });
});
