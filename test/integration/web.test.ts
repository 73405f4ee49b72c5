// The console over HTTP: overview content, Sync now with CSRF and Origin checks, probes, metrics, escaping.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Registry } from '../../server/metrics.ts';
import { holdRevision, releaseHeld } from '../../server/sync/holds.ts';
import { createSyncMetrics } from '../../server/sync/metrics.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { createApp } from '../../server/web/app.ts';
import { configMap, deployment, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';
import { silentLog } from '../support/log.ts';

describe('console', () => {
  let f: Fleet;
  let sync: SyncService;
  let web: Running;
  let ready = false;
  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings'), 'web.yaml': deployment('web') });
    const registry = new Registry();
    sync = createSyncService({ ...f.deps, metrics: createSyncMetrics(registry) });
    const app = createApp({
      sync,
      access: await testAccess(f.db),
      reach: { metricsToken: 'scrape-token-1' },
      metrics: registry,
      log: silentLog,
      nodeName: 'gateway-7',
      source: { kind: 'dir', url: f.sourceDir, path: '.' },
      demo: { reason: 'test' },
      ready: () => ready,
    });
    web = await listen(app);
  });
  after(async () => {
    await web.close();
    await sync.stop();
    await f.close();
  });

  test('readyz answers 503 until start-up is done, healthz always 200', async () => {
    assert.equal((await fetch(`${web.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${web.url}/readyz`)).status, 503);
    ready = true;
    assert.equal((await fetch(`${web.url}/readyz`)).status, 200);
  });

  test('the overview says DEMO and that nothing is applied before the first sync', async () => {
    const html = await (await new Browser(web.url).login('viewer')).page('/');
    assert.match(html, /<strong>DEMO<\/strong>/);
    assert.match(html, /gateway-7/);
    assert.match(html, /Nothing applied yet/);
    assert.match(html, /Sync now/);
  });

  test('Sync now without a CSRF token is refused and starts nothing', async () => {
    const b = await new Browser(web.url).login('operator');
    const res = await b.request('/actions/sync', { method: 'POST', headers: { 'HX-Request': 'true' } });
    assert.equal(res.status, 403);
    assert.equal(sync.progress().running, false);
    assert.equal(sync.runs().length, 0);
  });

  test('Sync now from another origin is refused even with a valid token', async () => {
    const b = await new Browser(web.url).login('operator');
    const res = await b.request('/actions/sync', {
      method: 'POST',
      headers: { 'X-CSRF-Token': b.csrf, Origin: 'http://evil.example' },
    });
    assert.equal(res.status, 403);
    assert.equal(sync.runs().length, 0);
  });

  test('Sync now with the token starts a run and answers with the live sync panel', async () => {
    const b = await new Browser(web.url).login('operator');
    const res = await b.request('/actions/sync', {
      method: 'POST',
      headers: { 'X-CSRF-Token': b.csrf, 'HX-Request': 'true', Origin: web.url },
    });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /^<section id="sync-panel"/);
    assert.doesNotMatch(html, /<html/);
    await sync.trigger('sync-now');
    await sync.live.refresh();
    const page = await b.page('/');
    assert.match(page, /data-testid="applied-revision">\s*<code>[0-9a-f]{12}<\/code>/);
    // The overview lists only what needs attention; every applied object is on /objects.
    assert.match(await b.page('/objects'), /<td>Deployment<\/td>\s*<td>shop<\/td>\s*<td>web<\/td>/);
    assert.equal(sync.runs()[0]?.trigger, 'sync-now');
  });

  test('a plain form post (no htmx) is redirected back to the overview', async () => {
    const b = await new Browser(web.url).login('operator');
    const res = await b.request('/actions/sync', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${encodeURIComponent(b.csrf)}`,
    });
    assert.equal(res.status, 303);
  });

  test('a failed sync is shown in plain words, the running revision stays, and markup in messages is inert', async () => {
    await sync.trigger('sync-now');
    const applied = sync.status().applied?.revision;
    f.write({ 'ns.yaml': NS, '<img src=x onerror=alert(1)>.yaml': 'kind: [\n' });
    const run = await sync.trigger('sync-now');
    assert.equal(run.reason, 'RenderFailed');
    const html = await (await new Browser(web.url).login('viewer')).page('/');
    assert.match(html, /The desired state could not be read/);
    assert.match(html, new RegExp(`keeps running revision <code>${applied}</code>`));
    assert.doesNotMatch(html, /<img src=x/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;.yaml/);
  });

  test('the fragment endpoints answer without the layout and pages vary on HX-Request', async () => {
    const b = await new Browser(web.url).login('viewer');
    const res = await b.request('/', { headers: { 'HX-Request': 'true' } });
    assert.equal(res.headers.get('vary'), 'HX-Request');
    assert.doesNotMatch(await res.text(), /<html/);
    assert.match(await (await b.request('/fragments/objects')).text(), /^<section id="objects"/);
  });

  test('metrics are in Prometheus text with outpost_ names', async () => {
    const text = await (
      await fetch(`${web.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-1' } })
    ).text();
    assert.match(text, /^# TYPE outpost_sync_runs_total counter/m);
    assert.match(text, /outpost_sync_runs_total\{result="succeeded",reason=""\} \d+/);
    assert.match(text, /outpost_sync_runs_total\{result="failed",reason="RenderFailed"\} 1/);
    assert.match(text, /^outpost_applied_objects 3$/m);
  });

  test('every response carries a strict CSP and refuses framing', async () => {
    const res = await fetch(`${web.url}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });

  test('htmx is served from the node itself', async () => {
    const res = await fetch(`${web.url}/static/vendor/htmx.min.js`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /htmx/);
  });

  test('staff can hold updates with a reason, the page shows it, and it is audited', async () => {
    const b = await new Browser(web.url).login('operator');
    const post = (path: string, body: string) =>
      b.request(path, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'X-CSRF-Token': b.csrf,
          'HX-Request': 'true',
        },
        body,
      });
    const missing = await post('/actions/hold', 'hours=2&reason=');
    assert.equal(missing.status, 400);
    assert.match(await missing.text(), /Say why updates are held/);
    assert.equal(sync.status().hold, null);
    const ok = await post('/actions/hold', 'hours=2&reason=stocktaking');
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /data-testid="staff-hold">until .* stocktaking/);
    assert.equal(sync.status().hold?.reason, 'stocktaking');
    const released = await post('/actions/release', '');
    assert.equal(released.status, 200);
    assert.equal(sync.status().hold, null);
    const { recentAudit } = await import('../../server/db/audit.ts');
    const actions = recentAudit(f.db).map((a) => a.action);
    assert.ok(actions.includes('hold') && actions.includes('release-hold'), actions.join());
  });

  test('a rollback request for something that is not a revision is refused with a reason', async () => {
    const b = await new Browser(web.url).login('operator');
    const res = await b.request('/actions/rollback', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'X-CSRF-Token': b.csrf,
        'HX-Request': 'true',
      },
      body: 'revision=abc',
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /The field (&quot;|")revision(&quot;|") was not filled in as expected/);
  });

  test('Retry asks on a page of its own (no browser pop-up), and there is nothing to retry when nothing is held', async () => {
    const b = await new Browser(web.url).login('operator');
    assert.equal((await b.request('/retry')).status, 409);
    holdRevision(f.db, {
      digest: 'sha256:abc',
      revisionId: null,
      from: 'abcdef123456',
      to: null,
      reason: 'HealthFailed',
      message: 'rolled back from abcdef123456: <img src=x> never became ready',
      at: new Date().toISOString(),
    });
    try {
      const panel = await b.page('/fragments/sync');
      assert.match(panel, /href="\/retry" data-testid="retry">Retry abcdef123456</);
      assert.doesNotMatch(panel, /hx-confirm/);
      const confirm = await b.page('/retry');
      assert.match(confirm, /Apply revision abcdef123456 again\?/);
      assert.match(confirm, /<form method="post" action="\/actions\/retry"/);
      assert.match(confirm, /&lt;img src=x&gt;/, 'the reason is shown inert');
    } finally {
      releaseHeld(f.db);
    }
  });
});
