// Attacks on sign-in and sessions, each one assertion: brute force, fixation, expiry, CSRF, framing, spoofed
// forwarding headers. First-run takeover is in attack-enrollment.test.ts.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { recentAudit } from '../../server/db/audit.ts';
import { attackTarget, MIN } from '../support/attack.ts';
import { Browser, PASSWORDS, type Running } from '../support/http.ts';

describe('attacks', () => {
  const target = attackTarget();
  const { fresh, advance } = target;
  const signIn = (b: Browser, username: string, password: string, headers: Record<string, string> = {}) =>
    b.post('/login', { username, password }, headers);

  describe('brute force', () => {
    test('one account is refused with 429 after 10 failures in 15 minutes, even with the right password', async () => {
      const { web } = await fresh();
      const b = new Browser(web.url);
      await b.page('/login');
      for (let i = 0; i < 10; i++) assert.equal((await signIn(b, 'operator', `guess ${i}`)).status, 401);
      const locked = await signIn(b, 'operator', PASSWORDS.operator);
      assert.equal(locked.status, 429);
      assert.equal(locked.headers.get('retry-after'), '900');
      assert.match(
        await locked.text(),
        /Too many failed sign-ins\. Try again in 15 minutes \(after \d\d:\d\d:\d\d\)/,
      );
      advance(15 * MIN + 1000);
      assert.equal((await signIn(b, 'operator', PASSWORDS.operator)).status, 303);
    });

    test('one address is refused after 20 failures whatever the account', async () => {
      const { web } = await fresh();
      const b = new Browser(web.url);
      await b.page('/login');
      for (let i = 0; i < 20; i++) assert.equal((await signIn(b, `nobody-${i}`, 'wrong')).status, 401);
      assert.equal((await signIn(b, 'viewer', PASSWORDS.viewer)).status, 429);
    });

    test('a spoofed X-Forwarded-For from an untrusted peer does not change the throttle key or the audit', async () => {
      const { web } = await fresh();
      const b = new Browser(web.url);
      await b.page('/login');
      const before = recentAudit(target.f.db, 1)[0]?.id ?? 0;
      for (let i = 0; i < 20; i++)
        await signIn(b, `nobody-${i}`, 'wrong', { 'x-forwarded-for': `198.51.100.${i}` });
      assert.equal((await signIn(b, 'viewer', 'wrong', { 'x-forwarded-for': '203.0.113.9' })).status, 429);
      const sources = new Set(
        recentAudit(target.f.db, 50)
          .filter((a) => a.id > before)
          .map((a) => a.source),
      );
      assert.deepEqual([...sources], ['127.0.0.1']);
    });

    test('from a trusted proxy, X-Forwarded-For is the client, so each client has its own count', async () => {
      const { web } = await fresh({}, { trustedProxies: ['127.0.0.1'] });
      const b = new Browser(web.url);
      await b.page('/login');
      for (let i = 0; i < 20; i++)
        await signIn(b, `nobody-${i}`, 'wrong', { 'x-forwarded-for': '198.51.100.1' });
      assert.equal((await signIn(b, 'viewer', 'wrong', { 'x-forwarded-for': '198.51.100.1' })).status, 429);
      assert.equal((await signIn(b, 'viewer', 'wrong', { 'x-forwarded-for': '198.51.100.2' })).status, 401);
    });

    test('sign-in checks beyond the cap in flight are answered 503 at once, without counting as failures', async () => {
      // A slower hash so checks overlap; one at a time.
      const { access, web } = await fresh({ cost: { N: 2 ** 14, r: 8, p: 1 }, maxConcurrentChecks: 1 });
      const b = new Browser(web.url);
      await b.page('/login');
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => signIn(b, `someone-${i}`, 'wrong').then((r) => r)),
      );
      const codes = answers.map((r) => r.status);
      assert.ok(codes.includes(503), codes.join());
      assert.ok(codes.includes(401), codes.join());
      assert.equal(answers.find((r) => r.status === 503)?.headers.get('retry-after'), '2');
      const v = access.throttle.begin('x', '127.0.0.1');
      assert.ok(v.ok);
      v.attempt.cancel();
    });
  });

  describe('sessions', () => {
    test('fixation: a planted session id is replaced at sign-in and stays worthless', async () => {
      const { access, web } = await fresh();
      const b = new Browser(web.url);
      b.cookies.set('outpost_session', 'attacker-chosen-value-0123456789abcdef');
      await b.page('/login');
      assert.equal((await signIn(b, 'operator', PASSWORDS.operator)).status, 303);
      assert.notEqual(b.cookies.get('outpost_session'), 'attacker-chosen-value-0123456789abcdef');
      assert.equal(access.session('attacker-chosen-value-0123456789abcdef'), null);
    });

    test('fixation: signing in again gives a new id and the old one gets 401', async () => {
      const { web } = await fresh();
      const b = await new Browser(web.url).login('operator');
      const old = b.cookies.get('outpost_session') as string;
      await signIn(b, 'operator', PASSWORDS.operator);
      assert.notEqual(b.cookies.get('outpost_session'), old);
      const replay = await fetch(`${web.url}/fragments/sync`, {
        headers: { cookie: `outpost_session=${old}`, 'HX-Request': 'true' },
      });
      assert.equal(replay.status, 401);
    });

    test('a session idle for 30 minutes ends; activity keeps it alive until then', async () => {
      const { web } = await fresh();
      const b = await new Browser(web.url).login('viewer');
      advance(29 * MIN);
      assert.equal((await b.request('/fragments/sync')).status, 200);
      advance(29 * MIN);
      assert.equal((await b.request('/fragments/sync')).status, 200);
      advance(30 * MIN);
      assert.equal((await b.request('/fragments/sync', { headers: { 'HX-Request': 'true' } })).status, 401);
    });

    test('a session ends 12 hours after sign-in however busy it is', async () => {
      const { web } = await fresh();
      const b = await new Browser(web.url).login('viewer');
      for (let t = 20; t < 12 * 60; t += 20) {
        advance(20 * MIN);
        assert.equal((await b.request('/fragments/sync')).status, 200, `at ${t} min`);
      }
      advance(20 * MIN);
      assert.equal((await b.request('/fragments/sync')).status, 303);
    });
  });

  describe('CSRF and Origin', () => {
    let web: Running;
    let op: Browser;
    const runs = () => target.sync.runs(100).length;
    const audits = () => recentAudit(target.f.db, 1)[0]?.id ?? 0;
    before(async () => {
      web = (await fresh()).web;
      op = await new Browser(web.url).login('operator');
    });

    test('a state-changing request without a token is refused 403 and changes nothing', async () => {
      const [r0, a0] = [runs(), audits()];
      const res = await op.request('/actions/sync', { method: 'POST', headers: { 'HX-Request': 'true' } });
      assert.equal(res.status, 403);
      assert.deepEqual([runs(), audits()], [r0, a0]);
    });

    test('a wrong token, or another session’s token, is refused 403 and changes nothing', async () => {
      const viewer = await new Browser(web.url).login('viewer');
      const [r0, a0] = [runs(), audits()];
      for (const token of ['x'.repeat(43), viewer.csrf]) {
        const res = await op.request('/actions/sync', { method: 'POST', headers: { 'X-CSRF-Token': token } });
        assert.equal(res.status, 403);
      }
      assert.deepEqual([runs(), audits()], [r0, a0]);
    });

    test('a cross-site Origin (or the opaque "null") is refused even with a valid token', async () => {
      const [r0, a0] = [runs(), audits()];
      for (const origin of ['http://evil.example', 'null', `${web.url}.evil.example`]) {
        const res = await op.post('/actions/hold', { hours: '1', reason: 'x' }, { Origin: origin });
        assert.equal(res.status, 403, origin);
      }
      assert.deepEqual([runs(), audits()], [r0, a0]);
      assert.equal(target.sync.status().hold, null);
    });

    test('a token from before sign-in is worthless after it', async () => {
      const b = new Browser(web.url);
      await b.page('/login');
      const anonymous = b.csrf;
      await signIn(b, 'operator', PASSWORDS.operator);
      const res = await b.request('/actions/sync', {
        method: 'POST',
        headers: { 'X-CSRF-Token': anonymous },
      });
      assert.equal(res.status, 403);
    });

    test('sign-in, sign-out, setup and user changes are CSRF-checked too', async () => {
      const b = new Browser(web.url);
      const login = await b.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `username=viewer&password=${PASSWORDS.viewer}`,
      });
      assert.equal(login.status, 403);
      assert.equal(b.cookies.has('outpost_session'), false);
      const logout = await op.request('/logout', { method: 'POST' });
      assert.equal(logout.status, 403);
      assert.equal((await op.request('/fragments/sync')).status, 200, 'still signed in');
      const setup = await b.request('/setup', { method: 'POST' });
      assert.equal(setup.status, 403);
      const admin = await new Browser(web.url).login('admin');
      const add = await admin.request('/users/add', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=mallory&role=admin&password=mallory-password',
      });
      assert.equal(add.status, 403);
    });
  });

  describe('headers and forwarding', () => {
    test('no page can be framed: frame-ancestors none and X-Frame-Options DENY on every answer', async () => {
      const { web } = await fresh({}, { kioskAddresses: ['127.0.0.1'] });
      const admin = await new Browser(web.url).login('admin');
      for (const p of [
        '/',
        '/login',
        '/users',
        '/audit',
        '/kiosk',
        '/setup',
        '/no-such-page',
        '/static/app.css',
      ]) {
        const res = await admin.request(p);
        assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, p);
        assert.equal(res.headers.get('x-frame-options'), 'DENY', p);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff', p);
        assert.ok(res.headers.get('referrer-policy'), p);
      }
    });

    test('pages carry no inline script, no event-handler attributes and no hx-on', async () => {
      const { web } = await fresh({}, { kioskAddresses: ['127.0.0.1'] });
      const admin = await new Browser(web.url).login('admin');
      for (const p of ['/', '/login', '/users', '/audit', '/kiosk', '/settings', '/runs', '/revisions']) {
        const html = await admin.page(p);
        assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/i, p);
        assert.doesNotMatch(html, /\son[a-z]+\s*=/i, p);
        assert.doesNotMatch(html, /hx-on/i, p);
      }
    });

    test('spoofed X-Forwarded-Host/-Prefix/-Proto from an untrusted peer change no redirect, cookie or Origin check', async () => {
      const { web } = await fresh({}, { basePath: '/gw' });
      const spoof = {
        'x-forwarded-host': 'evil.example',
        'x-forwarded-prefix': '/gw',
        'x-forwarded-proto': 'https',
      };
      const b = new Browser(web.url);
      await b.page('/login');
      const res = await signIn(b, 'viewer', PASSWORDS.viewer, spoof);
      assert.equal(res.headers.get('location'), '/');
      assert.doesNotMatch(res.headers.getSetCookie().join('\n'), /Secure|Path=\/gw/);
      const denied = await fetch(`${web.url}/runs`, { headers: spoof, redirect: 'manual' });
      assert.equal(denied.headers.get('location'), '/login?next=%2Fruns');
      const op = await new Browser(web.url).login('operator');
      const forged = await op.post('/actions/release', {}, { ...spoof, Origin: 'https://evil.example' });
      assert.equal(forged.status, 403);
    });

    test('next after sign-in never leaves the console', async () => {
      const { web } = await fresh();
      for (const next of [
        'https://evil.example/',
        '//evil.example',
        '/\\evil.example',
        '/.//evil.example/',
      ]) {
        const b = new Browser(web.url);
        await b.page('/login');
        const res = await b.post('/login', { username: 'viewer', password: PASSWORDS.viewer, next });
        const location = res.headers.get('location') ?? '';
        assert.equal(new URL(location, 'http://console.test').host, 'console.test', `${next} → ${location}`);
      }
    });
  });
});
