// The one state model: sync and health answered apart, the overall colour and word from the documented table,
// and the causes in plain terms (image and workload, file and line, object and why, held revision).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type HealthState,
  type NodeStateInputs,
  nodeState,
  objectOf,
  overallOf,
  type SyncState,
} from '../../server/sync/node-state.ts';
import { EMPTY_STATUS, type SyncStatus } from '../../server/sync/status.ts';

const AT = '2026-12-02T08:00:00.000Z';
const applied: SyncStatus = {
  ...EMPTY_STATUS,
  applied: {
    revision: 'aaaaaaaaaaaa',
    digest: 'sha256:aaaaaaaaaaaa',
    at: AT,
    version: '3',
    signer: null,
    source: 'git',
    objects: 5,
  },
  attempted: { revision: 'aaaaaaaaaaaa', result: 'succeeded', reason: null, message: null, at: AT, runId: 1 },
  upstream: { ...EMPTY_STATUS.upstream, reachable: true, lastContact: AT },
};
const healthy = { Healthy: 5, Progressing: 0, Degraded: 0, Unknown: 0 };
const inputs = (over: Partial<NodeStateInputs> = {}, status: Partial<SyncStatus> = {}): NodeStateInputs => ({
  status: { ...applied, ...status },
  health: healthy,
  liveError: null,
  failing: [],
  ...over,
});
const failed = (reason: string, message: string): Partial<SyncStatus> => ({
  attempted: { revision: 'bbbbbbbbbbbb', result: 'failed', reason, message, at: AT, runId: 2 },
});
const held: Partial<SyncStatus> = {
  held: {
    digest: 'sha256:cccccccccccc',
    revisionId: 3,
    from: 'cccccccccccc',
    to: 'aaaaaaaaaaaa',
    reason: 'HealthFailed',
    message:
      'rolled back from cccccccccccc to aaaaaaaaaaaa because HealthFailed: apps/v1 Deployment shop/web: 0 of 1 replicas ready',
    at: AT,
  },
};
const pulling = {
  kind: 'Deployment',
  namespace: 'shop',
  name: 'web',
  problem: 'ImagePullBackOff: Back-off pulling image "registry.local/web:9.9"',
  images: ['registry.local/web:9.9'],
};

test('the overall colour and word follow the documented table, row by row', () => {
  const ok = { ok: true, full: false };
  const rows: [SyncState, HealthState, { ok: boolean; full: boolean }, string, string][] = [
    ['synced', 'healthy', ok, 'ok', 'allGood'],
    ['synced', 'healthy', { ok: true, full: true }, 'full', 'storeFull'],
    ['refused', 'healthy', { ok: false, full: false }, 'bad', 'storeDamaged'],
    ['synced', 'degraded', ok, 'bad', 'needsAttention'],
    ['applying', 'degraded', ok, 'bad', 'needsAttention'],
    ['applying', 'healthy', ok, 'warn', 'updating'],
    ['applying', 'progressing', ok, 'warn', 'updating'],
    ['refused', 'healthy', ok, 'bad', 'updateRefused'],
    ['held', 'healthy', ok, 'warn', 'updateHeld'],
    ['held', 'progressing', ok, 'warn', 'updateHeld'],
    ['never', 'unknown', ok, 'none', 'nothingApplied'],
    ['synced', 'unknown', ok, 'warn', 'healthUnknown'],
    ['synced', 'progressing', ok, 'warn', 'starting'],
    ['unreachable', 'healthy', ok, 'warn', 'offline'],
    ['unreachable', 'progressing', ok, 'warn', 'starting'],
  ];
  for (const [sync, health, store, overall, word] of rows)
    assert.deepEqual(overallOf(sync, health, store), { overall, word }, `${sync} × ${health}`);
});

test('sync answers: in sync, applying, held, refused, unreachable since, never', () => {
  assert.equal(nodeState(inputs()).sync.state, 'synced');
  assert.equal(nodeState(inputs({ applying: true }, held)).sync.state, 'applying');
  assert.deepEqual(nodeState(inputs({}, held)).sync, { state: 'held', since: AT, revision: 'cccccccccccc' });
  assert.equal(nodeState(inputs({}, failed('RenderFailed', 'x'))).sync.state, 'refused');
  // A fetch that failed refused nothing: the upstream is unreachable.
  const offline = {
    ...failed('FetchFailed', 'connect ECONNREFUSED'),
    upstream: { ...applied.upstream, reachable: false, unreachableSince: AT },
  };
  assert.deepEqual(nodeState(inputs({}, offline)).sync, { state: 'unreachable', since: AT, revision: null });
  assert.equal(
    nodeState(inputs({ health: healthy }, { applied: null, attempted: null })).sync.state,
    'never',
  );
});

test('a sync that succeeded while a revision stays held is still "update held", never "All good"', () => {
  const s = nodeState(
    inputs(
      {},
      {
        ...held,
        attempted: {
          ...(applied.attempted as NonNullable<SyncStatus['attempted']>),
          at: '2026-12-02T09:00:00.000Z',
        },
      },
    ),
  );
  assert.equal(s.overall, 'warn');
  assert.equal(s.word, 'updateHeld');
  assert.equal(s.causes[0]?.code, 'held');
  assert.deepEqual(s.causes[0]?.vars, {
    rev: 'cccccccccccc',
    running: 'aaaaaaaaaaaa',
    why: 'Deployment shop/web: 0 of 1 replicas ready',
  });
});

test('a sync running now is "Updating now", not "All good"', () => {
  const s = nodeState(inputs({ applying: true }));
  assert.deepEqual([s.overall, s.word], ['warn', 'updating']);
  assert.ok(s.reasons.some((r) => r.code === 'syncing'));
});

test('health: degraded with failing workloads, unknown when the cluster cannot be read, progressing', () => {
  assert.equal(nodeState(inputs({ failing: [pulling] })).health.state, 'degraded');
  assert.equal(nodeState(inputs({ health: { ...healthy, Degraded: 1 } })).health.state, 'degraded');
  assert.equal(nodeState(inputs({ liveError: 'timeout' })).health.state, 'unknown');
  assert.equal(nodeState(inputs({ health: { ...healthy, Progressing: 2 } })).health.state, 'progressing');
  assert.equal(nodeState(inputs()).health.state, 'healthy');
});

test('causes say which image on which workload, which file and line, which object and why', () => {
  const pull = nodeState(inputs({ failing: [pulling] }));
  assert.deepEqual(pull.causes[0], {
    code: 'imagePull',
    vars: { image: 'registry.local/web:9.9', workload: 'Deployment shop/web' },
    detail: pulling.problem,
  });
  const yaml = nodeState(
    inputs(
      {},
      failed(
        'RenderFailed',
        'apps/web.yaml: not valid YAML at line 7: Implicit map keys need to be followed',
      ),
    ),
  );
  assert.deepEqual(yaml.causes[0]?.vars, { file: 'apps/web.yaml', line: 7, rev: 'bbbbbbbbbbbb' });
  assert.equal(yaml.causes[0]?.code, 'parse');
  const refused = nodeState(
    inputs({}, failed('ApplyFailed', 'apps/v1 Deployment shop/web: spec.replicas: Invalid value: -1')),
  );
  assert.deepEqual(refused.causes[0], {
    code: 'objectRefused',
    vars: { object: 'Deployment shop/web', why: 'spec.replicas: Invalid value: -1', rev: 'bbbbbbbbbbbb' },
    detail: 'ApplyFailed: apps/v1 Deployment shop/web: spec.replicas: Invalid value: -1',
  });
  assert.equal(nodeState(inputs({}, failed('VerifyFailed', 'bad signature'))).causes[0]?.code, 'refused');
  assert.equal(nodeState(inputs({}, failed('MassPruneRefused', 'x'))).causes[0]?.code, 'massPrune');
  const down = nodeState(
    inputs(
      {},
      { upstream: { ...applied.upstream, reachable: false, unreachableSince: AT, lastError: 'ETIMEDOUT' } },
    ),
  );
  assert.deepEqual(down.causes, [{ code: 'unreachable', vars: { since: AT }, detail: 'ETIMEDOUT' }]);
  assert.deepEqual(nodeState(inputs()).causes, []);
});

test('an identity is read only from the start of a message', () => {
  assert.deepEqual(objectOf('v1 ConfigMap shop/settings: data: too long'), {
    object: 'ConfigMap shop/settings',
    why: 'data: too long',
  });
  assert.equal(objectOf('revision 99 is not stored on this node'), null);
  assert.equal(objectOf('plain: words here'), null);
});
