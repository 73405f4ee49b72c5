// View models and fragments: the overall verdict, live stages, the kiosk (no controls), escaping, languages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Response } from 'express';
import type { HostNow } from '../../server/host/sampler.ts';
import type { ClusterSnapshot, WorkloadView } from '../../server/sync/cluster-view.ts';
import type { LiveObject } from '../../server/sync/live.ts';
import type { SyncService } from '../../server/sync/service.ts';
import { EMPTY_STATUS, type SyncStatus } from '../../server/sync/status.ts';
import type { WebDeps } from '../../server/web/deps.ts';
import { kioskModel } from '../../server/web/models/kiosk.ts';
import { overviewModel } from '../../server/web/models/overview.ts';
import { stageSteps, syncPanelModel } from '../../server/web/models/sync-panel.ts';
import { overviewData } from '../../server/web/routes/overview.ts';
import { createViews } from '../../server/web/views.ts';

const NOW = new Date();
const applied: SyncStatus['applied'] = {
  revision: 'abcdef123456',
  digest: 'sha256:abcdef123456',
  at: NOW.toISOString(),
  version: '12',
  objects: 3,
  signer: null,
  source: 'dir',
} as unknown as SyncStatus['applied'];

function status(over: Partial<SyncStatus> = {}): SyncStatus {
  return {
    applied,
    attempted: {
      revision: 'abcdef123456',
      result: 'succeeded',
      reason: null,
      message: null,
      at: NOW.toISOString(),
      runId: 1,
    },
    upstream: {
      reachable: true,
      lastContact: NOW.toISOString(),
      lastChange: null,
      unreachableSince: null,
      consecutiveFailures: 0,
      lastError: null,
    },
    held: null,
    hold: null,
    store: { ...EMPTY_STATUS.store, checkedAt: NOW.toISOString() },
    ...over,
  } as SyncStatus;
}

const healthy = (name: string): LiveObject => ({
  ref: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name },
  health: { status: 'Healthy', message: '' },
});

function workload(name: string, state: WorkloadView['state'], problem: string | null = null): WorkloadView {
  return {
    kind: 'Deployment',
    namespace: 'shop',
    name,
    desired: 1,
    ready: state === 'ok' ? 1 : 0,
    updated: 1,
    images: ['web:1'],
    restartedAt: null,
    rollingOut: false,
    createdAt: null,
    state,
    problem,
    pods: [],
    restarts: 0,
    managed: true,
  };
}

interface Fake {
  status?: SyncStatus;
  objects?: LiveObject[];
  workloads?: WorkloadView[];
  running?: { stage: 'apply'; marks: { stage: string; at: string }[] };
  host?: HostNow | null;
}

function fakeDeps(f: Fake = {}): WebDeps {
  const snapshot: ClusterSnapshot = {
    refreshedAt: NOW.toISOString(),
    error: null,
    nodes: [{ name: 'n1', ready: true, pressure: [], version: 'v1.31' }],
    namespaces: ['shop'],
    workloads: f.workloads ?? [],
    pods: [],
    events: [],
    podPhases: { Running: 2 },
    restarts: 0,
    warnings: 0,
  };
  const sync = {
    progress: () => ({ running: !!f.running, runId: f.running ? 7 : null, stage: f.running?.stage ?? null }),
    status: () => f.status ?? status(),
    store: () => (f.status ?? status()).store,
    nextScheduled: () => null,
    live: {
      snapshot: () => ({ objects: f.objects ?? [healthy('a')], refreshedAt: NOW.toISOString(), error: null }),
    },
    cluster: { snapshot: () => snapshot, version: 1 },
    history: { run: () => (f.running ? { stages: f.running.marks } : null) },
    settings: {
      effective: () => ({
        source: { kind: 'dir', url: '/srv/fleet', path: '.' },
        schedule: '*/5 * * * *',
        maintenanceWindows: [],
        paused: false,
        overridden: {},
        sourceEditable: true,
      }),
    },
    version: () => '1',
  } as unknown as SyncService;
  const deps = { sync, nodeName: 'gw-1', demo: null } as unknown as WebDeps;
  if (f.host !== undefined && f.host !== null) {
    const host = f.host;
    deps.host = {
      now: () => host,
      series: () => ({
        cpu: [0.1, 0.2],
        mem: [0.5, 0.5],
        disk: [0.3, 0.3],
        temp: [null, null],
        rx: [0, 1],
        tx: [0, 1],
      }),
      version: 1,
      intervalMs: 15_000,
    };
  }
  return deps;
}

const views = createViews({ nodeName: 'gw-1', demo: null });
const res = (locale = 'en') =>
  ({ locals: { locale, csrfToken: 'TOKEN', base: '/b', path: '/' } }) as unknown as Response;

test('the overall state is ok, warn or bad for what it sees, and says why', () => {
  assert.equal(overviewModel(fakeDeps()).overall, 'ok');
  const failing = overviewModel(fakeDeps({ workloads: [workload('web', 'failing', 'ImagePullBackOff')] }));
  assert.equal(failing.overall, 'bad');
  assert.deepEqual(failing.why[0], { key: 'why.failing', n: 1 });
  const offline = status({
    upstream: { ...status().upstream, reachable: false, unreachableSince: NOW.toISOString() },
  });
  assert.equal(overviewModel(fakeDeps({ status: offline })).overall, 'warn');
  assert.equal(overviewModel(fakeDeps({ status: status({ applied: null }) })).overall, 'none');
});

test('a damaged store or a refused mass prune makes the state bad and says so by name, page and kiosk', () => {
  const damaged = status({
    applied: null,
    attempted: {
      ...(status().attempted as NonNullable<SyncStatus['attempted']>),
      result: 'failed',
      reason: 'StoreCorrupt',
    },
    store: { ...EMPTY_STATUS.store, ok: false, problem: 'revision 3 in the local store: not found' },
  });
  for (const model of [
    overviewModel(fakeDeps({ status: damaged })),
    kioskModel(fakeDeps({ status: damaged })),
  ]) {
    assert.equal(model.overall, 'bad');
    assert.deepEqual(model.why[0], { key: 'why.storeCorrupt' });
  }
  const board = views.render(
    'partials/kiosk-board',
    { nodeName: 'gw-1', every: 10, ...kioskModel(fakeDeps({ status: damaged })) },
    res('ru'),
  );
  assert.match(board, /сохранённая копия работающей версии повреждена/);
  const refused = status({
    attempted: {
      ...(status().attempted as NonNullable<SyncStatus['attempted']>),
      result: 'failed',
      reason: 'MassPruneRefused',
    },
  });
  const model = overviewModel(fakeDeps({ status: refused }));
  assert.equal(model.overall, 'bad');
  assert.deepEqual(model.why[0], { key: 'why.massPruneRefused' });
});

test('the node state is "data volume full" on the overview, the kiosk and every page when the volume is full', () => {
  const full = status({ store: { ...EMPTY_STATUS.store, full: true, since: NOW.toISOString() } });
  // It wins over what the cluster shows: a failing workload is still listed after it.
  const deps = fakeDeps({ status: full, workloads: [workload('web', 'failing', 'ImagePullBackOff')] });
  const m = overviewModel(deps);
  assert.equal(m.overall, 'full');
  assert.deepEqual(
    m.why.map((w) => w.key),
    ['why.storeFull', 'why.failing'],
  );
  const board = views.render(
    'partials/kiosk-board',
    { nodeName: 'gw-1', every: 10, ...kioskModel(deps) },
    res(),
  );
  assert.match(board, /data-state="full"/);
  assert.match(board, /<h1 class="board-word">Data volume full<\/h1>/);
  const zh = views.render('partials/state', overviewData(deps), res('zh-CN'));
  assert.match(zh, /<h1>数据卷已满<\/h1>/);
  const ru = views.render('partials/state', overviewData(deps), res('ru'));
  assert.match(ru, /<h1>Диск данных заполнен<\/h1>/);
  const banner = createViews({ nodeName: 'gw-1', demo: null, storeFull: () => true });
  assert.match(banner.page('runs', { runs: [], more: null }, res()), /data-testid="store-full"/);
  assert.doesNotMatch(views.page('runs', { runs: [], more: null }, res()), /data-testid="store-full"/);
});

test('stages show as done, current and still to come while a sync runs', () => {
  const steps = stageSteps(
    [
      { stage: 'fetch', at: 't1' },
      { stage: 'render', at: 't2' },
      { stage: 'plan', at: 't3' },
      { stage: 'store', at: 't4' },
      { stage: 'apply', at: 't5' },
    ],
    'apply',
  );
  assert.deepEqual(
    steps.map((s) => `${s.stage}:${s.state}`),
    [
      'fetch:done',
      'render:done',
      'plan:done',
      'store:done',
      'apply:current',
      'prune:pending',
      'health:pending',
      'commit:pending',
    ],
  );
  // A manual rollback starts at plan; a rollback stage ends the list.
  assert.deepEqual(
    stageSteps(
      [
        { stage: 'plan', at: 't' },
        { stage: 'rollback', at: 't' },
      ],
      'rollback',
    ).map((s) => s.stage),
    ['plan', 'rollback'],
  );
});

test('the sync panel fragment lists the stages while running and offers no Sync now button then', () => {
  const deps = fakeDeps({
    running: {
      stage: 'apply',
      marks: [
        { stage: 'fetch', at: 'x' },
        { stage: 'apply', at: 'y' },
      ],
    },
  });
  const html = views.render('partials/sync-panel', syncPanelModel(deps), res());
  assert.match(html, /data-testid="sync-progress"/);
  assert.match(html, /<li class="stage-done" data-stage="fetch">Downloading<\/li>/);
  assert.match(html, /<li class="stage-current" data-stage="apply" aria-current="step">Applying<\/li>/);
  assert.match(html, /hx-get="\/b\/fragments\/sync" hx-trigger="outpost-changed from:body, every 1s"/);
  assert.doesNotMatch(html, /Sync now/);
});

test('while a sync runs the header and the kiosk say "Updating now", never "All good"', () => {
  const deps = fakeDeps({ running: { stage: 'apply', marks: [{ stage: 'fetch', at: 'x' }] } });
  const m = overviewModel(deps);
  assert.deepEqual([m.overall, m.node.word, m.node.sync.state], ['warn', 'updating', 'applying']);
  const header = views.render('partials/state', overviewData(deps), res());
  assert.match(header, /<h1>Updating now<\/h1>/);
  assert.doesNotMatch(header, /All good/);
  const board = views.render(
    'partials/kiosk-board',
    { nodeName: 'gw-1', every: 10, ...kioskModel(deps) },
    res(),
  );
  assert.match(board, /Updating now/);
  assert.doesNotMatch(board, /All good/);
});

test('the counts are coloured only where there is something: "0 degraded" is not red', () => {
  const html = views.render('partials/state', overviewData(fakeDeps()), res());
  assert.match(html, /<span class="pill">0 degraded<\/span>/);
  assert.match(html, /<span class="pill ok">1 healthy<\/span>/);
});

test('the kiosk board has no control at all: no form, button, input or link', () => {
  const deps = fakeDeps({ workloads: [workload('printer', 'failing', 'CrashLoopBackOff: <b>boom</b>')] });
  const html = views.render(
    'partials/kiosk-board',
    { nodeName: 'gw-1', every: 10, ...kioskModel(deps) },
    res(),
  );
  assert.doesNotMatch(html, /<(form|button|input|select|textarea|a)\b/i);
  assert.match(html, /data-state="bad"/);
  assert.match(html, /hx-trigger="outpost-changed from:body, every 10s"/);
  assert.match(html, /printer/);
  assert.match(html, /CrashLoopBackOff: &lt;b&gt;boom&lt;\/b&gt;/);
});

test('the overview in Chinese and Russian uses their words, links keep the base path, the token is filled in', () => {
  const deps = fakeDeps();
  const zh = views.cached('fragment', 'overview', 'k1', () => overviewData(deps), res('zh-CN'));
  assert.match(zh, /<h1>一切正常<\/h1>/);
  assert.match(zh, /立即同步/);
  assert.match(zh, /href="\/b\/workloads"/);
  assert.match(zh, /name="_csrf" value="TOKEN"/);
  const ru = views.cached('fragment', 'overview', 'k1', () => overviewData(deps), res('ru'));
  assert.match(ru, /<h1>Всё в порядке<\/h1>/);
  assert.match(ru, /Синхронизировать/);
});

test('a cached page is rendered once per key and language but carries each request’s own token', () => {
  let renders = 0;
  const deps = fakeDeps();
  const data = () => {
    renders++;
    return overviewData(deps);
  };
  const a = views.cached('fragment', 'overview', 'same', data, res());
  const other = {
    locals: { locale: 'en', csrfToken: 'OTHER', base: '/b', path: '/' },
  } as unknown as Response;
  const b = views.cached('fragment', 'overview', 'same', data, other);
  assert.equal(renders, 1);
  assert.match(a, /value="TOKEN"/);
  assert.match(b, /value="OTHER"/);
  assert.doesNotMatch(b, /TOKEN/);
  views.cached('fragment', 'overview', 'changed', data, res());
  assert.equal(renders, 2);
});

test('the host panel says there are no readings yet, then shows values and sparklines', () => {
  assert.match(
    views.render('partials/host-panel', overviewData(fakeDeps()), res()),
    /data-testid="host-none"/,
  );
  const host: HostNow = {
    sample: {
      at: Date.now(),
      cpu: 0.25,
      memUsed: 2 * 1024 ** 3,
      memTotal: 8 * 1024 ** 3,
      diskUsed: 10 * 1024 ** 3,
      diskTotal: 100 * 1024 ** 3,
      temp: null,
      rx: 1024,
      tx: 0,
      load1: 0.5,
    },
    uptimeS: 90_000,
    interfaces: [{ name: 'eth0', up: true }],
  };
  const html = views.render('partials/host-panel', overviewData(fakeDeps({ host })), res());
  assert.match(html, /data-testid="host-cpu">25%/);
  assert.match(html, /2 GB of 8 GB/);
  assert.match(html, /<polyline points="0,/);
  // Readable charts: a range switch, the value of each stretch on hover, min/max, and the same as a table.
  assert.match(html, /data-range="1h"[^>]*>1 hour<\/a>/);
  assert.match(html, /data-range="24h" aria-current="true"/);
  assert.match(html, /<rect class="spark-hit"[^>]*><title>[^<]*: 20%<\/title>/);
  assert.match(html, /aria-label="CPU over 24 hours: now 20%, min 10%, max 20%" tabindex="0"/);
  assert.match(html, /min 10% · max 20%/);
  assert.match(html, /data-testid="chart-values"/);
  // No sensor: no temperature row at all.
  assert.doesNotMatch(html, /Temperature/);
  assert.match(html, /1 d 1 h/);
  const ru = views.render('partials/host-panel', overviewData(fakeDeps({ host })), res('ru'));
  assert.match(ru, /Процессор за 24 часа: сейчас 20\s?%/);
});

test('host readings are coloured only at their thresholds: CPU at 100 % red, 25 % plain', () => {
  const sample = (cpu: number): HostNow => ({
    sample: {
      at: Date.now(),
      cpu,
      memUsed: 1,
      memTotal: 8,
      diskUsed: 85,
      diskTotal: 100,
      temp: null,
      rx: 0,
      tx: 0,
      load1: 1,
    },
    uptimeS: 60,
    interfaces: [],
  });
  const busy = views.render('partials/host-panel', overviewData(fakeDeps({ host: sample(1) })), res());
  assert.match(busy, /<span class="value bad" data-testid="host-cpu">100%/);
  assert.match(busy, /<span class="value warn" data-testid="host-disk">85%/);
  const calm = views.render('partials/host-panel', overviewData(fakeDeps({ host: sample(0.25) })), res());
  assert.match(calm, /<span class="value" data-testid="host-cpu">25%/);
});

test('the sync panel says "upstream broken", not "unreachable", and when content was last verified in full', () => {
  const broken = status({
    upstream: {
      ...status().upstream,
      reachable: true,
      broken: true,
      brokenSince: NOW.toISOString(),
      lastFullFetch: NOW.toISOString(),
    },
  });
  const deps = fakeDeps({ status: broken });
  const en = views.render('partials/sync-panel', syncPanelModel(deps), res());
  assert.match(en, /data-testid="upstream-broken">upstream broken since/);
  assert.doesNotMatch(en, /unreachable since/);
  assert.match(en, /data-testid="last-full-fetch">last verified full fetch/);
  assert.match(views.render('partials/sync-panel', syncPanelModel(deps), res('zh-CN')), /上游自 .* 起异常/);
  assert.match(views.render('partials/sync-panel', syncPanelModel(deps), res('ru')), /источник неисправен с/);
  assert.deepEqual(overviewModel(deps).why, [{ key: 'why.upstreamBroken' }]);
  const kiosk = views.render(
    'partials/kiosk-board',
    { nodeName: 'gw-1', every: 10, ...kioskModel(deps) },
    res(),
  );
  assert.match(kiosk, /data-testid="kiosk-upstream-broken">broken</);
});
