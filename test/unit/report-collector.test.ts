// The report collector and the outbox: which runs, actions and state changes become events, the bound and
// what it drops first, a restart that is not a state change, and no secret value in any event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendAudit } from '../../server/db/audit.ts';
import { openDb } from '../../server/db/open.ts';
import { appendEvents, eventsAfter, type StoredEvent } from '../../server/db/outbox.ts';
import { finishRun, startRun } from '../../server/db/runs.ts';
import { Collector } from '../../server/report/collector.ts';
import { EVENT, event, type ReportConfig } from '../../server/report/model.ts';
import type { NodeStateInputs } from '../../server/sync/node-state.ts';
import { EMPTY_STATUS, type SyncStatus } from '../../server/sync/status.ts';

const config: ReportConfig = {
  identity: { node: 'gw-7', site: 'hamburg' },
  backlog: 10_000,
  heartbeatMs: 300_000,
  mqtt: null,
  webhook: null,
};

const applied: SyncStatus = {
  ...EMPTY_STATUS,
  applied: {
    revision: 'abc123def456',
    digest: 'sha256:abc123def456',
    at: '2026-12-01T10:00:00.000Z',
    version: '12',
    signer: null,
    source: 'http',
    objects: 5,
  },
  upstream: { ...EMPTY_STATUS.upstream, reachable: true },
};

function setup(status: SyncStatus = applied) {
  const db = openDb(':memory:');
  let now = new Date('2026-12-02T08:00:00.000Z');
  const inputs: { current: NodeStateInputs } = {
    current: {
      status,
      health: { Healthy: 5, Progressing: 0, Degraded: 0, Unknown: 0 },
      liveError: null,
      failing: [],
    },
  };
  const make = () => new Collector({ db, config, inputs: () => inputs.current, clock: () => now });
  return {
    db,
    inputs,
    make,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
    events: (): StoredEvent[] => eventsAfter(db, 0, 10_000),
  };
}

test('the first collection reports the state; history from before reporting is not replayed', () => {
  const s = setup();
  const old = startRun(s.db, 'sync-now', 'anna');
  finishRun(s.db, old, { result: 'failed', reason: 'RenderFailed', changes: [] });
  const c = s.make();
  c.collect();
  const types = s.events().map((e) => e.type);
  assert.deepEqual(types, [EVENT.state]);
  const snap = s.events()[0]?.data as { state: string; running: { revision: string } };
  assert.equal(snap.state, 'ok');
  assert.equal(snap.running.revision, 'abc123def456');
});

test('failed, rolled-back, staff and changing runs are events; an unchanged scheduled run is not', () => {
  const s = setup();
  const c = s.make();
  c.collect();
  const run = (
    trigger: 'schedule' | 'sync-now',
    result: 'succeeded' | 'failed' | 'rolled-back',
    changed: boolean,
  ) => {
    const id = startRun(s.db, trigger, trigger === 'sync-now' ? 'anna' : null);
    finishRun(s.db, id, {
      result,
      ...(result === 'failed'
        ? { reason: 'HealthFailed', message: 'apps/v1 Deployment shop/web: ImagePullBackOff' }
        : {}),
      changes: [{ ref: 'apps/v1/Deployment/shop/web', action: changed ? 'configured' : 'unchanged' }],
    });
  };
  run('schedule', 'succeeded', false);
  run('schedule', 'succeeded', true);
  run('schedule', 'failed', false);
  run('sync-now', 'succeeded', false);
  c.collect();
  const runs = s.events().filter((e) => e.type === EVENT.run);
  assert.deepEqual(
    runs.map((e) => [
      (e.data as { trigger: string }).trigger,
      (e.data as { result: string }).result,
      e.severity,
    ]),
    [
      ['schedule', 'succeeded', 'info'],
      ['schedule', 'failed', 'error'],
      ['sync-now', 'succeeded', 'info'],
    ],
  );
  assert.deepEqual((runs[0]?.data as { changes: unknown } | undefined)?.changes, {
    created: 0,
    configured: 1,
    deleted: 0,
    failed: 0,
  });
  c.collect();
  assert.equal(s.events().filter((e) => e.type === EVENT.run).length, 3, 'each run is reported once');
});

test('a state change is one event with the whole snapshot; a restart with the same state is not a change', () => {
  const s = setup();
  s.make().collect();
  const w = { kind: 'Deployment', namespace: 'shop', problem: 'CrashLoopBackOff', images: ['web:1'] };
  s.inputs.current = {
    ...s.inputs.current,
    failing: [
      { ...w, name: 'web' },
      { ...w, name: 'api' },
    ],
  };
  s.advance(1000);
  s.make().collect();
  const states = s.events().filter((e) => e.type === EVENT.state);
  assert.equal(states.length, 2);
  assert.equal(states[1]?.severity, 'error');
  assert.deepEqual((states[1]?.data as { reasons: string[] } | undefined)?.reasons, ['failing']);
  // A new collector (a restarted Outpost) in the same state: a heartbeat, not a state change.
  s.advance(1000);
  s.make().collect();
  const after = s.events().slice(-1)[0];
  assert.equal(after?.type, EVENT.heartbeat);
  assert.equal(
    (after?.data as { since: string } | undefined)?.since,
    states[1]?.at,
    'since is when the state began',
  );
});

test('heartbeats come every interval while nothing changes', () => {
  const s = setup();
  const c = s.make();
  c.collect();
  for (let i = 0; i < 12; i++) {
    s.advance(60_000);
    c.collect();
  }
  // 12 minutes: the state event counts as the first heartbeat, then one at 5 and one at 10 minutes.
  assert.equal(s.events().filter((e) => e.type === EVENT.heartbeat).length, 2);
});

test('staff actions are events without their free-text detail, so no value leaves the node', () => {
  const s = setup();
  const c = s.make();
  c.collect();
  appendAudit(s.db, {
    actor: 'anna',
    action: 'settings.change',
    target: 'source',
    result: 'ok',
    detail: 'url: https://fleet:hunter2@git.example/fleet.git → https://git.example/fleet2.git',
  });
  appendAudit(s.db, { actor: 'mallory', action: 'sign-in', result: 'failed' });
  c.collect();
  const actions = s.events().filter((e) => e.type === EVENT.action);
  assert.deepEqual(
    actions.map((e) => [(e.data as { action: string }).action, e.severity]),
    [
      ['settings.change', 'info'],
      ['sign-in', 'warning'],
    ],
  );
  assert.ok(!JSON.stringify(s.events()).includes('hunter2'));
});

test('a full outbox drops the oldest heartbeats first, then the oldest events, and says how many went', () => {
  const db = openDb(':memory:');
  const bound = { max: 10, dropFirst: EVENT.heartbeat, notice: () => event(EVENT.dropped, 'warning', {}) };
  const at = (i: number) => new Date(Date.UTC(2026, 11, 2, 8, i));
  appendEvents(
    db,
    [0, 1, 2, 3].map((i) => event(EVENT.heartbeat, 'info', { i }, at(i))),
    bound,
  );
  appendEvents(
    db,
    [4, 5, 6, 7, 8, 9].map((i) => event(EVENT.state, 'warning', { i }, at(i))),
    bound,
  );
  assert.equal(eventsAfter(db, 0, 100).length, 10);
  const dropped = appendEvents(db, [event(EVENT.run, 'error', { i: 10 }, at(10))], bound);
  assert.equal(dropped, 2, 'one for the new event, one for the notice');
  const kept = eventsAfter(db, 0, 100);
  assert.equal(kept.length, 10);
  assert.deepEqual(
    kept.map((e) => (e.data as { i?: number }).i ?? `dropped ${(e.data as { dropped: number }).dropped}`),
    [2, 3, 4, 5, 6, 7, 8, 9, 10, 'dropped 2'],
  );
  // No heartbeats left: the oldest state changes go now.
  appendEvents(
    db,
    [2, 3, 4].map((i) => event(EVENT.run, 'info', { i: 100 + i })),
    bound,
  );
  const later = eventsAfter(db, 0, 100).map((e) => e.type);
  assert.equal(later.length, 10);
  assert.ok(!later.includes(EVENT.heartbeat));
  assert.deepEqual(
    eventsAfter(db, 0, 100).map((e) => e.seq),
    [...eventsAfter(db, 0, 100).map((e) => e.seq)].sort((a, b) => a - b),
    'order is kept',
  );
});
