// The console's pages over HTTP against the simulator: revisions and diffs, rollback, runs, workloads, restart,
// logs, settings, support bundle, kiosk and languages — each signed in as the role that may use it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { recentAudit } from '../../server/db/audit.ts';
import { dirSource } from '../../server/sources/dir.ts';
import { readTar } from '../../server/sources/tar.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { buildSupportBundle } from '../../server/sync/support-bundle.ts';
import { fleetApp } from '../support/console.ts';
import { assertSaidApart } from '../support/details.ts';
import { configMap, deployment, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';

describe('console pages', () => {
  let f: Fleet;
  let sync: SyncService;
  let web: Running;
  const files = (image: string) => ({
    'ns.yaml': NS,
    'cm.yaml': configMap('settings'),
    'web.yaml': deployment('web', image),
  });

  before(async () => {
    f = await makeFleet(files('registry.example.com/web:1'));
    sync = createSyncService({
      ...f.deps,
      sourceSpec: { kind: 'dir', url: f.sourceDir, path: '.' },
      makeSource: (spec) => dirSource(spec.url),
    });
    const app = fleetApp(f, {
      sync,
      access: await testAccess(f.db),
      nodeName: 'gateway-7',
      host: {
        now: () => ({
          sample: {
            at: Date.now(),
            cpu: 0.31,
            memUsed: 1 << 30,
            memTotal: 4 << 30,
            diskUsed: 5 << 30,
            diskTotal: 10 << 30,
            temp: 61,
            rx: 2048,
            tx: 512,
            load1: 0.4,
          },
          uptimeS: 7200,
          interfaces: [{ name: 'eth0', up: true }],
        }),
        series: () => ({
          cpu: [0.2, 0.31],
          mem: [0.25, 0.25],
          disk: [0.5, 0.5],
          temp: [60, 61],
          rx: [1024, 2048],
          tx: [256, 512],
        }),
        version: 1,
        intervalMs: 15_000,
      },
      supportBundle: () =>
        buildSupportBundle({
          db: f.db,
          cluster: f.cluster,
          nodeName: 'gateway-7',
          config: {
            source: { url: 'https://deploy:hunter2@git.example/fleet.git' },
            access: { password: 'pw' },
          },
          hostFacts: () => ({ hostname: 'gateway-7' }),
        }),
    });
    web = await listen(app);
    // Timers far apart: the tests refresh the views themselves.
    sync.start({
      schedule: '0 0 1 1 *',
      nodeName: 'gateway-7',
      liveIntervalMs: 600_000,
      clusterIntervalMs: 600_000,
    });
    assert.equal((await sync.trigger('startup')).result, 'succeeded');
    f.write(files('registry.example.com/web:2'));
    assert.equal((await sync.trigger('schedule')).result, 'succeeded');
    await Promise.all([sync.live.refresh(), sync.cluster.refresh()]);
  });
  after(async () => {
    await web.close();
    await sync.stop();
    await f.close();
  });

  test('the overview shows the node, the cluster and the sync in one page', async () => {
    const html = await (await new Browser(web.url).login('viewer')).page('/');
    assert.match(html, /data-state="ok"/);
    assert.match(html, /data-testid="host-cpu">31%/);
    assert.match(html, /61 °C/);
    assert.match(html, /data-testid="nodes-ready"><span class="ok">1 of 1 ready/);
    assert.match(html, /running 1/);
    assert.match(html, /data-testid="applied-revision">\s*<code>[0-9a-f]{12}<\/code>/);
    assert.match(html, /All 3 applied objects are healthy/);
  });

  test('the language follows Accept-Language, and the switcher remembers a choice and goes back', async () => {
    const b = await new Browser(web.url).login('viewer');
    const ru = await b.request('/', { headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.5' } });
    assert.equal(ru.headers.get('content-language'), 'ru');
    assert.match(await ru.text(), /<html lang="ru">[\s\S]*Синхронизировать/);
    const sw = await b.request('/lang/zh-CN?back=%2Frevisions');
    assert.equal(sw.status, 303);
    assert.equal(sw.headers.get('location'), '/revisions');
    assert.match(await b.page('/revisions'), /<h1>版本<\/h1>/);
    assert.equal((await b.request('/lang/ru?back=%2F%2Fevil.example')).headers.get('location'), '/');
    await b.request('/lang/en?back=%2F');
  });

  test('revisions are listed with the running one marked, and a diff names the changed field', async () => {
    const b = await new Browser(web.url).login('viewer');
    const list = await b.page('/revisions');
    const ids = [...list.matchAll(/data-revision="(\d+)"/g)].map((m) => Number(m[1]));
    assert.equal(ids.length, 2);
    assert.match(list, /<tr data-revision="\d+" class="running">/);
    const [newer, older] = ids as [number, number];
    const diff = await b.page(`/revisions/diff?from=${older}&to=${newer}`);
    assert.match(diff, /spec\.template\.spec\.containers\[main\]\.image/);
    assert.match(diff, /registry\.example\.com\/web:1[\s\S]*registry\.example\.com\/web:2/);
    assert.match(diff, /1 changed/);
    assert.equal((await b.request('/revisions/diff?from=1&to=99999')).status, 404);
    assert.equal((await b.request('/revisions/abc')).status, 404);
  });

  test('roll back from the revisions page: a confirmation with the changes, then the run, audited', async () => {
    const b = await new Browser(web.url).login('operator');
    const ids = [...(await b.page('/revisions')).matchAll(/data-revision="(\d+)"/g)].map((m) => Number(m[1]));
    const older = ids[1] as number;
    const confirm = await b.page(`/revisions/${older}/rollback`);
    assert.match(confirm, /Roll back to revision [0-9a-f]{12}\?/);
    assert.match(confirm, /registry\.example\.com\/web:2/);
    assert.match(confirm, new RegExp(`name="revision" value="${older}"`));
    const res = await b.post('/actions/rollback', { revision: String(older) });
    assert.equal(res.status, 303);
    // It lands on its own run, whose page follows the stages until the run has ended.
    const landed = /^\/runs\/(\d+)$/.exec(res.headers.get('location') ?? '');
    assert.ok(landed, `lands on the run page, not ${res.headers.get('location')}`);
    const run = await waitForRun(sync, (r) => r.trigger === 'rollback' && r.result !== 'running');
    assert.equal(run.id, Number(landed[1]));
    assert.equal(run.result, 'succeeded');
    assert.doesNotMatch(
      await b.page(`/runs/${run.id}`),
      /hx-trigger="every 1s"/,
      'an ended run is not polled',
    );
    assert.equal(sync.history.runningId(), older);
    assert.ok(recentAudit(f.db, 20).some((a) => a.action === 'rollback' && a.target === `revision ${older}`));
    // Back to the newest for the tests after this one.
    await sync.trigger('rollback', 'test', { target: ids[0] as number });
    await Promise.all([sync.live.refresh(), sync.cluster.refresh()]);
  });

  test('sync runs list the trigger and who pressed it; a failed run says why in plain words', async () => {
    f.write({ ...files('registry.example.com/web:2'), 'broken.yaml': 'kind: [\n' });
    const failed = await sync.trigger('sync-now', 'tech@10.0.0.9');
    assert.equal(failed.reason, 'RenderFailed');
    f.write(files('registry.example.com/web:2'));
    const b = await new Browser(web.url).login('viewer');
    const list = await b.page('/runs');
    assert.match(
      list,
      new RegExp(
        `<tr data-run="${failed.id}">[\\s\\S]*?Sync now <span class="sub">by tech@10\\.0\\.0\\.9</span>`,
      ),
    );
    assert.match(list, /start-up/);
    assert.match(list, /The desired state could not be read/);
    const one = await b.page(`/runs/${failed.id}`);
    assert.match(one, /data-testid="run-trigger">Sync now · by tech@10\.0\.0\.9/);
    assert.match(one, /RenderFailed: /);
    const first = await b.page('/runs/2');
    assert.match(first, /data-testid="changes"[\s\S]*Deployment shop\/web/);
    assert.match(first, /changed<\/span>/);
    // What the run did, in the reader's language; the stored English is not shown.
    const stored = sync.history.run(2)?.message ?? '';
    assert.match(stored, /^revision [0-9a-f]+ applied and healthy/);
    b.cookies.set('outpost_lang', 'ru');
    const ru = await b.page('/runs/2');
    assert.match(ru, /data-testid="run-message">Ревизия [0-9a-f]+ применена и исправна/);
    assert.ok(!ru.includes(stored));
    b.cookies.set('outpost_lang', 'en');
    assert.equal((await b.request('/runs/999999')).status, 404);
  });

  test('workloads list what runs in the managed namespaces; a restart is confirmed, applied and audited', async () => {
    const b = await new Browser(web.url).login('operator');
    const list = await b.page('/workloads');
    assert.match(list, /<tr data-workload="shop\/web">/);
    assert.match(list, /<code>shop<\/code>/);
    const confirm = await b.page('/workloads/Deployment/shop/web/restart');
    assert.match(confirm, /Restart web\?/);
    assert.match(confirm, /kubectl rollout restart Deployment web -n shop/);
    const res = await b.post('/actions/restart', { kind: 'Deployment', namespace: 'shop', name: 'web' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/workloads/Deployment/shop/web');
    const live = await f.cluster.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
    });
    assert.ok(live, 'the deployment exists');
    const template = (live.spec as { template: { metadata: { annotations: Record<string, string> } } })
      .template;
    const annotations = template.metadata.annotations;
    assert.match(annotations['kubectl.kubernetes.io/restartedAt'] ?? '', /^\d{4}-/);
    await sync.cluster.refresh();
    assert.doesNotMatch(await b.page('/workloads/Deployment/shop/web'), /data-testid="restarted-at">never/);
    assert.ok(
      recentAudit(f.db, 5).some((a) => a.action === 'restart' && a.target === 'apps/v1 Deployment shop/web'),
    );
    // The next sync does not undo the restart (its own field manager) and changes nothing.
    const run = await sync.trigger('sync-now');
    assert.deepEqual(
      run.changes.filter((c) => c.action === 'configured'),
      [],
    );
    const refused = await b.post('/actions/restart', {
      kind: 'Deployment',
      namespace: 'kube-system',
      name: 'coredns',
    });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /Outpost does not manage the namespace kube-system/);
  });

  test('in Russian a restart the cluster refuses says so in plain words; the cluster’s words only under the support details', async () => {
    const b = await new Browser(web.url).login('operator');
    b.cookies.set('outpost_lang', 'ru');
    const id = f.sim.faults.inject({
      status: 422,
      method: 'PATCH',
      pathIncludes: '/deployments/web',
      message: 'admission webhook policy.example denied the request',
    });
    try {
      const res = await b.post('/actions/restart', { kind: 'Deployment', namespace: 'shop', name: 'web' });
      assert.equal(res.status, 502);
      assertSaidApart(
        await res.text(),
        'Перезапустить Deployment shop/web не удалось: кластер не принял перезапуск.',
        /admission webhook policy\.example denied the request/,
      );
    } finally {
      f.sim.faults.clear(id);
    }
    const failed = recentAudit(f.db, 5).find((a) => a.action === 'restart' && a.result === 'failed');
    assert.match(failed?.detail ?? '', /^restart failed: .*admission webhook policy\.example denied/);
  });

  test('in Chinese a log the cluster will not give says so in plain words; its words only under the support details', async () => {
    await sync.cluster.refresh();
    const pod = sync.cluster.workload('Deployment', 'shop', 'web')?.pods[0];
    assert.ok(pod, 'the web pod is in the view');
    const b = await new Browser(web.url).login('viewer');
    b.cookies.set('outpost_lang', 'zh-CN');
    const id = f.sim.faults.inject({
      status: 400,
      method: 'GET',
      pathIncludes: `/pods/${pod.name}/log`,
      message: 'container main is waiting to start: ContainerCreating',
    });
    try {
      assertSaidApart(
        await b.page(`/pods/shop/${pod.name}/logs?tail=50`),
        '目前无法读取日志。请稍后重试。',
        new RegExp(`log of pod shop/${pod.name}`),
      );
    } finally {
      f.sim.faults.clear(id);
    }
  });

  test('pod logs show the tail; following streams new lines and stops by itself after five minutes', async () => {
    await sync.cluster.refresh();
    const pod = sync.cluster.workload('Deployment', 'shop', 'web')?.pods[0];
    assert.ok(pod, 'the web pod is in the view');
    const b = await new Browser(web.url).login('viewer');
    const page = await b.page(`/pods/shop/${pod.name}/logs?tail=50`);
    assert.match(page, /outpost-sim: ready/);
    assert.doesNotMatch(page, /hx-sse:connect/);
    const following = await b.request(`/pods/shop/${pod.name}/logs?tail=50&follow=1&since=${Date.now()}`, {
      headers: { 'HX-Request': 'true' },
    });
    const fragment = await following.text();
    assert.match(fragment, /^<div id="log"/);
    assert.match(
      fragment,
      new RegExp(`hx-sse:connect="/pods/shop/${pod.name}/logs/stream\\?container=main"`),
    );
    const stale = await b.page(`/pods/shop/${pod.name}/logs?follow=1&since=${Date.now() - 6 * 60_000}`);
    assert.doesNotMatch(stale, /hx-sse:connect="\/pods/);
    assert.match(stale, /following stopped after 5 minutes/);
    assert.equal((await b.request('/pods/kube-system/coredns/logs')).status, 403);
  });

  test('settings: a change is saved, applied and audited; a bad value is refused in plain words', async () => {
    const b = await new Browser(web.url).login('admin');
    await b.page('/settings');
    const bad = await b.post('/actions/settings/schedule', { schedule: 'every minute' });
    assert.equal(bad.status, 400);
    // Said in plain words; the parser's own sentence only under "Details for support".
    assertSaidApart(
      await bad.text(),
      /Not saved: “every minute” is not a schedule Outpost understands: write it in cron form/,
      '&quot;every minute&quot; is not a cron expression',
    );
    const ok = await b.post('/actions/settings/schedule', { schedule: '*/10 * * * *' });
    assert.equal(ok.status, 303);
    assert.equal(sync.settings.effective().schedule, '*/10 * * * *');
    assert.ok(sync.nextScheduled(), 'the new schedule runs');
    await b.post('/actions/settings/pause', { paused: '1' });
    assert.equal(sync.nextScheduled(), null);
    assert.match(await b.page('/'), /scheduled syncs are paused/);
    await b.post('/actions/settings/pause', { paused: '0' });
    await b.post('/actions/settings/windows', { windows: '* 22-23 * * *\n* 0-5 * * *' });
    assert.deepEqual(sync.settings.effective().maintenanceWindows, ['* 22-23 * * *', '* 0-5 * * *']);
    await b.post('/actions/settings/reset', { key: 'maintenanceWindows' });
    await b.post('/actions/settings/reset', { key: 'schedule' });
    const page = await b.page('/settings');
    assert.match(page, /settings\.schedule/);
    const actions = recentAudit(f.db, 50).map((a) => a.action);
    assert.ok(actions.includes('settings.paused') && actions.includes('settings.maintenanceWindows'));
    assert.equal(
      (await (await new Browser(web.url).login('operator')).post('/actions/settings/pause', { paused: '1' }))
        .status,
      403,
    );
  });

  test('the support bundle is one tar.gz with status, runs, diffs, cluster state, logs and no secrets', async () => {
    const b = await new Browser(web.url).login('operator');
    const res = await b.request('/support/bundle');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/gzip');
    assert.match(
      res.headers.get('content-disposition') ?? '',
      /attachment; filename="outpost-support-gateway-7-.*\.tar\.gz"/,
    );
    const tar = readTar(gunzipSync(Buffer.from(await res.arrayBuffer())), 'bundle', {
      maxFiles: 1000,
      maxTotalBytes: 64 << 20,
    });
    const names = Object.keys(tar.files);
    for (const want of [
      'README.txt',
      'host.json',
      'status.json',
      'runs.json',
      'audit.json',
      'config.json',
      'cluster/events.json',
    ])
      assert.ok(names.includes(want), `${want} in ${names.join(', ')}`);
    assert.ok(names.some((n) => n.startsWith('diffs/')));
    assert.ok(names.some((n) => /^logs\/shop\/web-.*\/main\.log$/.test(n)));
    const config = String(tar.files['config.json']);
    assert.doesNotMatch(config, /hunter2|"pw"/);
    assert.equal((await (await new Browser(web.url).login('viewer')).request('/support/bundle')).status, 403);
  });

  test('the kiosk is read-only, refreshes itself and speaks the screen’s language', async () => {
    const res = await fetch(`${web.url}/kiosk?every=3`, { headers: { 'accept-language': 'zh-CN' } });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<html lang="zh-CN">/);
    assert.match(html, /一切正常/);
    assert.match(
      html,
      /hx-get="\/fragments\/kiosk\?every=3" hx-trigger="outpost-changed from:body, every 3s"/,
    );
    assert.match(html, /hx-sse:connect="\/events"/);
    assert.doesNotMatch(html, /<(form|button|input|select|textarea|a)\b/i);
    assert.doesNotMatch(html, /X-CSRF-Token/);
    const fragment = await (await fetch(`${web.url}/fragments/kiosk`)).text();
    assert.match(fragment, /^<% const|^\s*<main id="board"|<main id="board"/);
  });

  test('a page never waits for the API server: with the cluster hanging, the overview answers at once', async () => {
    const id = f.sim.faults.inject({ hang: true });
    try {
      void sync.cluster.refresh();
      void sync.live.refresh();
      const b = await new Browser(web.url).login('viewer');
      const started = Date.now();
      for (const path of ['/', '/workloads', '/revisions', '/runs', '/kiosk']) {
        assert.equal((await b.request(path)).status, 200, path);
      }
      assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
    } finally {
      f.sim.faults.clear(id);
    }
  });
});

async function waitForRun(
  sync: SyncService,
  ok: (r: ReturnType<SyncService['runs']>[number]) => boolean,
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = sync.runs(5).find(ok);
    if (run && !sync.progress().running) return run;
    if (Date.now() > deadline) throw new Error('no such run in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
