// The hold form refuses an end date that does not exist (30 February) in the reader's language, and holds nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { fleetApp } from '../support/console.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';

describe('hold form dates', () => {
  let f: Fleet;
  let sync: SyncService;
  let web: Running;

  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings') });
    sync = createSyncService(f.deps);
    web = await listen(fleetApp(f, { sync, access: await testAccess(f.db) }));
  });
  after(async () => {
    await web.close();
    await sync.stop();
    await f.close();
  });

  test('a hold until 30 February is refused with a form error in English, Chinese and Russian', async () => {
    const year = new Date().getFullYear() + 1;
    const until = `${year}-02-30T10:00`;
    const expected = {
      en: /is not a date on the calendar/,
      'zh-CN': /日历上没有/,
      ru: /нет в календаре/,
    };
    for (const [lang, message] of Object.entries(expected)) {
      const b = await new Browser(web.url).login('operator');
      b.cookies.set('outpost_lang', lang);
      await b.page('/');
      const res = await b.post('/actions/hold', { until, reason: 'stocktaking' }, { 'HX-Request': 'true' });
      const text = await res.text();
      assert.equal(res.status, 400, `${lang}: ${text}`);
      assert.match(text, message, lang);
      assert.match(text, new RegExp(until), lang);
      assert.equal(sync.status().hold, null, lang);
    }
  });

  test('a hold until a date that exists is accepted', async () => {
    const b = await new Browser(web.url).login('operator');
    const end = new Date(Date.now() + 2 * 86_400_000);
    const local = new Date(end.getTime() - end.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    const res = await b.post(
      '/actions/hold',
      { until: local, reason: 'stocktaking' },
      { 'HX-Request': 'true' },
    );
    assert.equal(res.status, 200, await res.text());
    assert.equal(sync.status().hold?.reason, 'stocktaking');
  });
});
