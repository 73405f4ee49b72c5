// The workload page model (its events) and the log view's request: container, tail and following, bounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventSummary } from '../../server/cluster/reads.ts';
import type { WorkloadView } from '../../server/sync/cluster-view.ts';
import { MAX_TAIL_LINES } from '../../server/sync/workloads.ts';
import { FOLLOW_FOR_MS, lineCount, logRequest, workloadEvents } from '../../server/web/models/workload.ts';

const event = (namespace: string, object: string): EventSummary => ({
  namespace,
  type: 'Warning',
  reason: 'R',
  message: object,
  object,
  count: 1,
  lastSeen: null,
});

test('a workload shows the events of itself, its ReplicaSets and its pods, in its namespace only', () => {
  const w = {
    kind: 'Deployment',
    namespace: 'shop',
    name: 'web',
    pods: [{ name: 'web-abc-1' }],
  } as WorkloadView;
  const shown = workloadEvents(
    [
      event('shop', 'Deployment/web'),
      event('shop', 'ReplicaSet/web-abc'),
      event('shop', 'Pod/web-abc-1'),
      event('shop', 'Pod/other-1'),
      event('other', 'Deployment/web'),
      event('shop', 'Deployment/webby'),
    ],
    w,
  );
  assert.deepEqual(
    shown.map((e) => e.object),
    ['Deployment/web', 'ReplicaSet/web-abc', 'Pod/web-abc-1'],
  );
});

test('the log view keeps a known container and bounds the tail', () => {
  assert.equal(logRequest({ container: 'sidecar' }, ['app', 'sidecar']).container, 'sidecar');
  assert.equal(logRequest({ container: 'nope' }, ['app', 'sidecar']).container, 'app');
  assert.equal(logRequest({ tail: '1000' }, ['app']).tail, 1000);
  assert.equal(logRequest({ tail: '999999' }, ['app']).tail, MAX_TAIL_LINES);
  assert.equal(logRequest({ tail: '-5' }, ['app']).tail, 1);
  assert.equal(logRequest({}, ['app']).tail, 200);
});

test('following a log stops by itself once it has gone on for the bound', () => {
  const now = 10_000_000;
  const fresh = logRequest({ follow: '1', since: String(now - 1000) }, ['app'], now);
  assert.equal(fresh.polling, true);
  assert.equal(fresh.followEnded, false);
  const old = logRequest({ follow: '1', since: String(now - FOLLOW_FOR_MS - 1) }, ['app'], now);
  assert.equal(old.polling, false);
  assert.equal(old.followEnded, true);
  assert.equal(logRequest({ since: '5' }, ['app'], now).since, now);
});

test('a log text ending in a newline has as many lines as newlines', () => {
  assert.equal(lineCount(''), 0);
  assert.equal(lineCount('a\nb\n'), 2);
  assert.equal(lineCount('a\nb'), 2);
});
