// A kiosk token in a query string (valid, invalid, or on a page that is not the kiosk) never reaches a URL
// the console builds (redirect, next=, HX-Redirect, language switch) nor a log line.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AccessService } from '../../server/auth/service.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { fleetApp } from '../support/console.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';
import { capturedLog } from '../support/log.ts';

const SECRET = 'SECRETkioskTOKEN123';

describe('kiosk tokens in URLs', () => {
  let f: Fleet;
  let sync: SyncService;
  let access: AccessService;
  let web: Running;
  const { log, lines } = capturedLog();

  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings') });
    sync = createSyncService(f.deps);
    access = await testAccess(f.db);
    web = await listen(fleetApp(f, { sync, access, log, reach: { kioskAddresses: [] } }));
  });
  after(async () => {
    await web.close();
    await sync.stop();
    await f.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${web.url}${path}`, { headers, redirect: 'manual' });

  test('a token on a page that is not the kiosk is not copied into the sign-in next=', async () => {
    const res = await get(`/runs?page=2&token=${SECRET}`);
    assert.equal(res.status, 303);
    const location = res.headers.get('location') ?? '';
    assert.equal(location, `/login?next=${encodeURIComponent('/runs?page=2')}`);
  });

  test('an invalid kiosk token is not copied into the sign-in next=', async () => {
    const res = await get(`/kiosk?token=${SECRET}`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/login?next=${encodeURIComponent('/kiosk')}`);
    const twice = await get(`/kiosk?token=${SECRET}&token=${SECRET}2`);
    assert.doesNotMatch(twice.headers.get('location') ?? '', /SECRET/);
    const encoded = await get(`/kiosk?%74oken=${SECRET}`);
    assert.doesNotMatch(encoded.headers.get('location') ?? '', /SECRET/);
  });

  test('an htmx request from a page with a token gets an HX-Redirect without it', async () => {
    const res = await get('/fragments/sync', {
      'HX-Request': 'true',
      'HX-Current-URL': `${web.url}/runs?token=${SECRET}`,
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('hx-redirect'), `/login?next=${encodeURIComponent('/runs')}`);
  });

  test('the sign-in page drops a token given in next= itself', async () => {
    const html = await (await get(`/login?next=${encodeURIComponent(`/runs?token=${SECRET}`)}`)).text();
    assert.doesNotMatch(html, /SECRET/);
    assert.match(html, /name="next" value="\/runs"/);
  });

  test('the language switch drops a token from the page it goes back to', async () => {
    const res = await get(`/lang/ru?back=${encodeURIComponent(`/kiosk?token=${SECRET}`)}`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/kiosk');
  });

  test('a valid kiosk token moves into a cookie and the redirect keeps the other parameters only', async () => {
    const token = access.createKioskToken('hall', 'test');
    const res = await get(`/kiosk?token=${encodeURIComponent(token)}&size=large`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/kiosk?size=large');
  });

  test('a request that fails with a token in its URL is logged without the token', async () => {
    const b = await new Browser(web.url).login('operator');
    const res = await b.post(`/actions/rollback?token=${SECRET}`, { revision: 'none' });
    assert.equal(res.status, 400);
    const failed = lines.filter((l) => l.includes('request failed'));
    assert.ok(
      failed.some((l) => l.includes('"url":"/actions/rollback"')),
      failed.join('\n'),
    );
    assert.deepEqual(
      lines.filter((l) => l.includes('SECRET')),
      [],
    );
  });
});
