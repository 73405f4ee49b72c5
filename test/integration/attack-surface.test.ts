// The console's whole surface: every state-changing route (read from the Express router, so new ones are
// covered) against every anonymous, kiosk and too-small role; markup in every displayed field stays inert.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import type { AccessService } from '../../server/auth/service.ts';
import { recentAudit } from '../../server/db/audit.ts';
import { listRevisions } from '../../server/db/revisions.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { requiredAccess } from '../../server/web/middleware/auth.ts';
import { fleetApp } from '../support/console.ts';
import { deployment, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';
import { ROOT } from '../support/process.ts';

/** Every non-GET route of the app as "METHOD /path", path parameters filled with "1". */
function writeRoutes(app: Express): string[] {
  const found = new Set<string>();
  type Layer = {
    slash?: boolean;
    route?: { path: unknown; methods: Record<string, boolean> };
    handle?: { stack?: Layer[] };
  };
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          assert.equal(
            typeof p,
            'string',
            'a route path that is not a string: teach this enumerator about it',
          );
          for (const m of Object.keys(layer.route.methods)) {
            if (m === 'get' || m === 'head' || m === '_all') continue;
            found.add(`${m.toUpperCase()} ${(p as string).replace(/:[A-Za-z_]+/g, '1')}`);
          }
        }
      } else if (layer.handle?.stack) {
        // Routers mounted under a prefix would need it prepended; the app mounts all of them at the root.
        assert.ok(layer.slash, 'a router mounted under a prefix: teach this enumerator about it');
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...found].sort();
}

const PAYLOAD_IMAGE = 'registry.example.com/app:1<script>alert("log")</script>';
const BROKEN_IMAGE = 'registry.example.com/web:broken<img src=x onerror=alert("rev")>';
const EVENT_MESSAGE = '<img src=x onerror=alert("event")>';
const HOLD_REASON = '<svg onload=alert("hold")>';
const USERNAME = '"><script>alert("user")</script>';

describe('attack surface', () => {
  let f: Fleet;
  let sync: SyncService;
  let access: AccessService;
  let app: Express;
  let web: Running;

  before(async () => {
    f = await makeFleet({
      'ns.yaml': NS,
      'web.yaml': deployment('web'),
      'logs.yaml': deployment('logs', PAYLOAD_IMAGE),
    });
    f.deps.policy = { healthTimeoutMs: 1500, healthIntervalMs: 25 };
    sync = createSyncService(f.deps);
    access = await testAccess(f.db);
    // Loopback is a kiosk address here (the default), so "from the kiosk screen" is tested as well.
    app = fleetApp(f, { sync, access });
    web = await listen(app);
    assert.equal((await sync.trigger('startup')).result, 'succeeded');
  });
  after(async () => {
    await web.close();
    await sync.stop();
    await f.close();
  });

  test('every state-changing route needs an operator or an admin (or is sign-in itself)', () => {
    const routes = writeRoutes(app);
    assert.ok(routes.includes('POST /actions/sync') && routes.includes('POST /users/add'), routes.join());
    for (const r of routes) {
      const [method, p] = r.split(' ') as [string, string];
      const need = requiredAccess(method, p);
      if (['/login', '/logout', '/setup'].includes(p)) assert.equal(need, 'public', r);
      else assert.ok(need === 'operator' || need === 'admin', `${r} needs only ${need}`);
    }
  });

  test('no state-changing route is reachable anonymously, from the kiosk, or with too small a role', async () => {
    const routes = writeRoutes(app).filter((r) => !/ \/(login|logout|setup)$/.test(r));
    const anonymous = new Browser(web.url);
    await anonymous.page('/login');
    const kiosk = new Browser(web.url);
    kiosk.cookies.set('outpost_kiosk', access.createKioskToken('surface-test', 'test'));
    await kiosk.page('/login');
    const viewer = await new Browser(web.url).login('viewer');
    const operator = await new Browser(web.url).login('operator');
    const state = () =>
      JSON.stringify({
        runs: sync.runs(1000).length,
        audit: recentAudit(f.db, 1)[0]?.id,
        users: access.users.list(),
        hold: sync.status().hold,
        settings: sync.settings.effective(),
      });
    const before = state();
    let tried = 0;
    for (const r of routes) {
      const [method, p] = r.split(' ') as [string, string];
      const need = requiredAccess(method, p);
      const who: [string, Browser, number[]][] = [
        ['anonymous', anonymous, [303, 401]],
        ['kiosk token', kiosk, [303, 401]],
        ['viewer', viewer, [403]],
      ];
      if (need === 'admin') who.push(['operator', operator, [403]]);
      for (const [name, b, refused] of who) {
        for (const hx of [false, true]) {
          const res = await b.request(p, {
            method,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'X-CSRF-Token': b.csrf,
              ...(hx ? { 'HX-Request': 'true' } : {}),
            },
            body: 'revision=1&hours=1&reason=x&name=viewer&role=admin&password=long-enough-password&paused=1',
          });
          tried++;
          assert.ok(refused.includes(res.status), `${name} ${r} (htmx ${hx}) answered ${res.status}`);
          if (res.status === 303) assert.match(res.headers.get('location') ?? '', /^\/login\?next=/);
        }
      }
    }
    assert.ok(tried >= routes.length * 6);
    assert.equal(state(), before, 'nothing changed');
  });

  test('markup in file and image names, events, log lines, revision and run messages, hold reasons and user names is inert', async () => {
    await f.cluster.apply(
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'web.payload', namespace: 'shop' },
        involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
        reason: 'Payload<b>bold</b>',
        message: EVENT_MESSAGE,
        type: 'Warning',
        count: 1,
        firstTimestamp: new Date().toISOString(),
        lastTimestamp: new Date().toISOString(),
      },
      { fieldManager: 'test' },
    );
    f.write({
      'ns.yaml': NS,
      'web.yaml': deployment('web', BROKEN_IMAGE),
      'logs.yaml': deployment('logs', PAYLOAD_IMAGE),
      '<img src=x onerror=alert("file")>.yaml': 'kind: [\n',
    });
    assert.equal((await sync.trigger('sync-now')).reason, 'RenderFailed');
    f.write({
      'ns.yaml': NS,
      'web.yaml': deployment('web', BROKEN_IMAGE),
      'logs.yaml': deployment('logs', PAYLOAD_IMAGE),
    });
    assert.equal((await sync.trigger('sync-now')).result, 'rolled-back');
    sync.setHold({ until: new Date(Date.now() + 3_600_000), reason: HOLD_REASON }, 'operator');
    await sync.cluster.refresh();
    await sync.live.refresh();
    const failed = listRevisions(f.db).find((r) => r.status === 'failed');
    const runs = sync.runs(10);
    const logsPod = sync.cluster.snapshot().pods.find((p) => p.name.startsWith('logs-'))?.name;
    assert.ok(failed && logsPod);

    const b = new Browser(web.url);
    await b.page('/login');
    const relogin = await (await b.post('/login', { username: USERNAME, password: 'wrong' })).text();
    const admin = await new Browser(web.url).login('admin');
    const pages = [
      '/',
      '/objects',
      '/revisions',
      `/revisions/${failed.id}`,
      '/runs',
      ...runs.map((r) => `/runs/${r.id}`),
      '/workloads',
      '/workloads/Deployment/shop/web',
      `/pods/shop/${logsPod}/logs?container=main`,
      '/settings',
      '/audit',
      '/kiosk',
    ];
    const all = [relogin];
    for (const p of pages) {
      const res = await admin.request(p);
      assert.equal(res.status, 200, p);
      all.push(await res.text());
    }
    for (const [i, html] of all.entries()) {
      const where = i === 0 ? 'login page' : pages[i - 1];
      assert.doesNotMatch(
        html,
        /<(script|img|svg|b)\b[^>]*>[^<]*alert|<(img|svg)[^>]*onerror|<(img|svg)[^>]*onload/i,
        where,
      );
      assert.doesNotMatch(html, /<script>alert/, where);
      assert.doesNotMatch(html, /<b>bold<\/b>/, where);
    }
    // Each payload was shown (escaped) somewhere: the test would notice a field that stopped rendering.
    const joined = all.join('\n');
    for (const marker of ['log', 'rev', 'event', 'hold', 'user', 'file']) {
      assert.match(
        joined,
        new RegExp(`alert\\(&quot;${marker}&quot;\\)`),
        `the "${marker}" payload is shown escaped`,
      );
    }
  });

  test('the templates print raw HTML only for includes, the page body, the CSRF field and fixed attributes', () => {
    const dir = path.join(ROOT, 'views');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => n.endsWith('.eta'));
    const allowed = [/^include\(/, /^it\.body$/, /^hidden$/, /^here\('[^']*'\)$/];
    for (const file of files) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      for (const m of text.matchAll(/<%~\s*([\s\S]*?)\s*%>/g)) {
        const expr = (m[1] as string).trim();
        assert.ok(
          allowed.some((re) => re.test(expr)),
          `${file}: raw output of "${expr}" — escape it with <%= %>`,
        );
      }
    }
  });
});
