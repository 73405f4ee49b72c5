// First-run takeover, each one assertion: /setup without, with a wrong, an expired or an already used enrollment
// code, racing requests with the right one, and guessing codes. Sign-in and session attacks: attack.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AccessService, createAccessService } from '../../server/auth/service.ts';
import { type Db, openDb } from '../../server/db/open.ts';
import { attackTarget, MIN } from '../support/attack.ts';
import { Browser, type Running, TEST_COST } from '../support/http.ts';
import { silentLog } from '../support/log.ts';

describe('attacks', () => {
  const { serve, now, advance } = attackTarget();

  describe('first-run takeover', () => {
    let db: Db;
    let access: AccessService;
    let web: Running;
    let code = '';
    const admins = () => access.users.list().filter((u) => u.role === 'admin').length;
    const form = (c: string, username = 'eve') => ({
      code: c,
      username,
      password: 'takeover password',
      password2: 'takeover password',
    });
    before(async () => {
      db = openDb(':memory:');
      access = createAccessService({
        db,
        log: silentLog,
        sessionIdleMs: 30 * MIN,
        sessionMaxMs: 720 * MIN,
        cost: TEST_COST,
        now,
      });
      web = await serve(access);
    });
    after(() => db.close());

    test('setup without an open code is refused and creates nobody', async () => {
      const b = new Browser(web.url);
      await b.page('/setup');
      const res = await b.post('/setup', form('0000-0000-0000-0000'));
      assert.equal(res.status, 403);
      assert.match(await res.text(), /No enrollment code is open/);
      assert.equal(admins(), 0);
    });

    test('a wrong code is refused and creates nobody', async () => {
      code = access.openEnrollment({ ttlMs: 60 * MIN })?.code ?? '';
      const b = new Browser(web.url);
      await b.page('/setup');
      const res = await b.post('/setup', form('AAAA-BBBB-CCCC-DDDD'));
      assert.equal(res.status, 403);
      // The form comes back as typed, so a typo is fixed in place; the passwords never come back.
      const page = await res.text();
      assert.match(page, /name="code" value="AAAA-BBBB-CCCC-DDDD"/);
      assert.match(page, /name="username" value="eve"/);
      assert.doesNotMatch(page, /takeover password/);
      assert.equal(admins(), 0);
    });

    test('an expired code is refused and creates nobody', async () => {
      advance(61 * MIN);
      const b = new Browser(web.url);
      await b.page('/setup');
      const res = await b.post('/setup', form(code));
      assert.equal(res.status, 403);
      assert.match(await res.text(), /has expired/);
      assert.equal(admins(), 0);
    });

    test('two racing requests with the right code make exactly one admin', async () => {
      code = access.openEnrollment({ ttlMs: 60 * MIN })?.code ?? '';
      const [a, b] = [new Browser(web.url), new Browser(web.url)];
      await Promise.all([a.page('/setup'), b.page('/setup')]);
      const codes = (
        await Promise.all([a.post('/setup', form(code, 'ada')), b.post('/setup', form(code, 'eve'))])
      ).map((r) => r.status);
      assert.deepEqual(codes.sort(), [303, 404]);
      assert.equal(admins(), 1);
    });

    test('once an admin exists, /setup is an unknown page and the used code does nothing', async () => {
      const b = new Browser(web.url);
      const setup = await b.request('/setup');
      assert.equal(setup.status, 404);
      assert.match(await setup.text(), /<h1>Not found<\/h1>\s*<p>There is no such page\.<\/p>/);
      await b.page('/login');
      assert.equal((await b.post('/setup', form(code, 'mallory'))).status, 404);
      assert.equal(
        access.users.list().some((u) => u.name === 'mallory'),
        false,
      );
      assert.doesNotMatch(await b.page('/login'), /setup/i);
    });

    test('guessing codes is throttled per address like passwords', async () => {
      const db2 = openDb(':memory:');
      const a2 = createAccessService({
        db: db2,
        log: silentLog,
        sessionIdleMs: MIN,
        sessionMaxMs: 2 * MIN,
        cost: TEST_COST,
      });
      a2.openEnrollment({ ttlMs: 60 * MIN });
      const w = await serve(a2);
      const b = new Browser(w.url);
      await b.page('/setup');
      for (let i = 0; i < 10; i++)
        assert.equal((await b.post('/setup', form(`WRONG-${i}-CODE-XXXX`))).status, 403);
      assert.equal((await b.post('/setup', form('WRONG-11-CODE-XXXX'))).status, 429);
      db2.close();
    });
  });
});
