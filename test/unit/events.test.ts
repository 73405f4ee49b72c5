// Which events the console shows: about the workloads, their ReplicaSets and pods and the nodes, while the object
// exists, each repeated event once; other objects' routine events are left out, their warnings kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventSummary, PodSummary, WorkloadSummary } from '../../server/cluster/reads.ts';
import { relevantEvents } from '../../server/sync/events.ts';

const ev = (object: string, over: Partial<EventSummary> = {}): EventSummary => ({
  namespace: 'shop',
  type: 'Normal',
  reason: 'Pulled',
  message: `about ${object}`,
  object,
  count: 1,
  lastSeen: '2026-12-02T10:00:00Z',
  ...over,
});
const web = { kind: 'Deployment', namespace: 'shop', name: 'web' } as WorkloadSummary;
const pod = { namespace: 'shop', name: 'web-abc12-x1' } as PodSummary;
const scope = { namespaces: new Set(['shop']), workloads: [web], pods: [pod] };
const objects = (list: EventSummary[]) => relevantEvents(list, scope).map((e) => e.object);

test('events about the workload, its ReplicaSets, its live pods and the nodes are kept', () => {
  assert.deepEqual(
    objects([
      ev('Deployment/web'),
      ev('ReplicaSet/web-abc12'),
      ev('Pod/web-abc12-x1'),
      ev('Node/n1', { namespace: '' }),
    ]),
    ['Deployment/web', 'ReplicaSet/web-abc12', 'Pod/web-abc12-x1', 'Node/n1'],
  );
});

test('a warning about a pod that is gone ages out with it; other namespaces are not shown', () => {
  assert.deepEqual(
    objects([
      ev('Pod/web-old99-zz', { type: 'Warning', reason: 'BackOff' }),
      ev('Pod/other', { namespace: 'kube-system', type: 'Warning' }),
      ev('ReplicaSet/printer-1234'),
    ]),
    [],
  );
});

test('routine events of other objects are left out, their warnings stay', () => {
  assert.deepEqual(
    objects([
      ev('ConfigMap/settings'),
      ev('PersistentVolumeClaim/data', { type: 'Warning', reason: 'ProvisioningFailed' }),
    ]),
    ['PersistentVolumeClaim/data'],
  );
});

test('the same event repeated is one entry with the counts added and the latest time', () => {
  const out = relevantEvents(
    [
      ev('Pod/web-abc12-x1', { type: 'Warning', reason: 'BackOff', count: 3 }),
      ev('Pod/web-abc12-x1', {
        type: 'Warning',
        reason: 'BackOff',
        count: 2,
        lastSeen: '2026-12-02T11:00:00Z',
      }),
    ],
    scope,
  );
  assert.equal(out.length, 1);
  assert.equal(out[0]?.count, 5);
  assert.equal(out[0]?.lastSeen, '2026-12-02T11:00:00Z');
});
