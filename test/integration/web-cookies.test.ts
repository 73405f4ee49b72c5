// Every reader of a cookie (CSRF, language, session, kiosk) answers normally when the browser sends a broken one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { fleetApp } from '../support/console.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';

/** Not valid percent-encoding of UTF-8: decodeURIComponent throws on it. */
const BROKEN = '%E0%A4%A';

describe('cookies', () => {
  let f: Fleet;
  let sync: SyncService;
  let web: Running;

  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings') });
    sync = createSyncService(f.deps);
    web = await listen(fleetApp(f, { sync, access: await testAccess(f.db), reach: { kioskAddresses: [] } }));
  });
  after(async () => {
    await web.close();
    await sync.stop();
    await f.close();
  });

  const get = (path: string, cookie: string, headers: Record<string, string> = {}) =>
    fetch(`${web.url}${path}`, { headers: { cookie, ...headers }, redirect: 'manual' });

  test('a malformed CSRF cookie is replaced by a fresh one instead of answering 500', async () => {
    for (const path of ['/login', '/healthz', '/kiosk', '/']) {
      const res = await get(path, `outpost_csrf=${BROKEN}`);
      assert.ok(res.status < 500, `${path}: ${res.status}`);
    }
    const res = await get('/login', `outpost_csrf=${BROKEN}`);
    assert.equal(res.status, 200);
    const set = res.headers.getSetCookie().find((c) => c.startsWith('outpost_csrf='));
    assert.match(set ?? '', /^outpost_csrf=[A-Za-z0-9_-]{22,64};/);
  });

  test('a form post with a malformed CSRF cookie is refused as out of date, not a server error', async () => {
    const b = new Browser(web.url);
    await b.page('/login');
    b.cookies.set('outpost_csrf', BROKEN);
    const res = await b.post('/login', { username: 'admin', password: 'x' });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /out of date/);
  });

  test('a signed-in browser with a malformed CSRF cookie gets every page, and a post is refused, never a 500', async () => {
    const b = await new Browser(web.url).login('admin');
    b.cookies.set('outpost_csrf', BROKEN);
    for (const path of [
      '/',
      '/runs',
      '/revisions',
      '/plan',
      '/settings',
      '/workloads',
      '/support',
      '/audit',
    ]) {
      const res = await b.request(path);
      assert.ok(res.status < 500, `${path}: ${res.status}`);
    }
    b.cookies.set('outpost_csrf', BROKEN);
    const post = await b.post('/actions/sync', {});
    assert.equal(post.status, 403);
  });

  test('a malformed language cookie falls back to the browser language', async () => {
    const res = await get('/login', `outpost_lang=${BROKEN}`, { 'accept-language': 'ru' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-language'), 'ru');
  });

  test('a malformed session cookie is no session: pages send the visitor to sign in', async () => {
    const res = await get('/runs', `outpost_session=${BROKEN}`);
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location') ?? '', /^\/login\?next=/);
  });

  test('a malformed kiosk cookie opens nothing and sends the screen to sign in', async () => {
    const res = await get('/kiosk', `outpost_kiosk=${BROKEN}`);
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location') ?? '', /^\/login\?next=%2Fkiosk$/);
  });

  test('a signed-in browser stays signed in when another cookie of the header is malformed', async () => {
    const b = await new Browser(web.url).login('viewer');
    b.cookies.set('outpost_lang', BROKEN);
    b.cookies.set('other', BROKEN);
    const res = await b.request('/runs');
    assert.equal(res.status, 200);
  });
});
