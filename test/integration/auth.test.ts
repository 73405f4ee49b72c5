// Access to the console over HTTP: first run, sign-in and out, sessions, roles, users page, audit, metrics,
// kiosk screens, a base path behind a proxy, and the `outpost user` / `kiosk-token` commands.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { auditDetail } from '../../server/audit-detail.ts';
import { type AccessService, SESSION_RECHECK_MS } from '../../server/auth/service.ts';
import { runKioskToken, runUser } from '../../server/cli/user.ts';
import { appendAudit, recentAudit } from '../../server/db/audit.ts';
import { openDb } from '../../server/db/open.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import type { ReachOptions } from '../../server/web/deps.ts';
import { fleetApp } from '../support/console.ts';
import { assertSaidApart } from '../support/details.ts';
import { configMap, deployment, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, listen, PASSWORDS, type Running, TEST_COST, testAccess } from '../support/http.ts';
import { silentLog } from '../support/log.ts';
import { ROOT } from '../support/process.ts';

const exec = promisify(execFile);

describe('access', () => {
  let f: Fleet;
  let sync: SyncService;
  let access: AccessService;
  let web: Running;
  const servers: Running[] = [];

  async function serve(a: AccessService, reach: ReachOptions = {}): Promise<Running> {
    const app = fleetApp(f, { sync, access: a, reach, nodeName: 'gateway-7' });
    const running = await listen(app);
    servers.push(running);
    return running;
  }

  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings'), 'web.yaml': deployment('web') });
    sync = createSyncService(f.deps);
    access = await testAccess(f.db);
    web = await serve(access, { metricsToken: 'scrape-me-please', kioskAddresses: [] });
    await sync.trigger('startup');
  });
  after(async () => {
    for (const s of servers) await s.close();
    await sync.stop();
    await f.close();
  });

  test('first run: the code from the log creates the first admin, signs them in, and /setup is gone', async () => {
    const db = openDb(':memory:');
    const fresh = (await import('../../server/auth/service.ts')).createAccessService({
      db,
      log: silentLog,
      sessionIdleMs: 60_000,
      sessionMaxMs: 120_000,
      cost: TEST_COST,
    });
    const opened = fresh.openEnrollment({ ttlMs: 60_000 });
    assert.ok(opened);
    const w = await serve(fresh);
    const b = new Browser(w.url);
    assert.match(await b.page('/login'), /data-testid="setup-hint"/);
    assert.match(await b.page('/setup'), /Enrollment code/);
    const res = await b.post('/setup', {
      code: opened.code.toLowerCase(),
      username: 'ada',
      password: 'first admin password',
      password2: 'first admin password',
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');
    assert.match(await b.page('/'), /Signed in as ada \(admin\)/);
    assert.equal((await b.request('/setup')).status, 404);
    assert.doesNotMatch(await new Browser(w.url).page('/login'), /setup-hint/);
    const setup = recentAudit(db).find((a) => a.action === 'setup');
    assert.equal(setup?.result, 'ok');
    assert.equal(setup?.source, '127.0.0.1');
    db.close();
  });

  test('sign-in sets an HttpOnly, SameSite=Strict session cookie and sign-out ends the session on the server', async () => {
    const b = new Browser(web.url);
    await b.page('/login');
    const res = await b.post('/login', { username: 'viewer', password: PASSWORDS.viewer, next: '/runs' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/runs');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('outpost_session=')) ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/, 'plain HTTP: a Secure cookie would never come back');
    const id = b.cookies.get('outpost_session') as string;
    assert.equal(access.session(id)?.name, 'viewer');
    await b.page('/');
    const out = await b.post('/logout');
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/login');
    assert.equal(access.session(id), null);
    const actions = recentAudit(f.db, 10).map((a) => `${a.action}:${a.actor}:${a.result}`);
    assert.ok(actions.includes('login:viewer:ok') && actions.includes('logout:viewer:ok'), actions.join());
  });

  test('a wrong password is answered 401 in plain words and audited with where it came from', async () => {
    const b = new Browser(web.url);
    await b.page('/login');
    const res = await b.post('/login', { username: 'operator', password: 'not the password' });
    assert.equal(res.status, 401);
    assert.match(await res.text(), /The user name or password is wrong/);
    const last = recentAudit(f.db, 1)[0];
    assert.deepEqual(
      {
        action: last?.action,
        actor: last?.actor,
        role: last?.role,
        source: last?.source,
        result: last?.result,
      },
      { action: 'login', actor: 'operator', role: 'operator', source: '127.0.0.1', result: 'failed' },
    );
  });

  test('pages need a session: a page redirects to sign-in with next, htmx gets 401 and HX-Redirect', async () => {
    const page = await fetch(`${web.url}/revisions?x=1`, { redirect: 'manual' });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/login?next=%2Frevisions%3Fx%3D1');
    const hx = await fetch(`${web.url}/fragments/sync`, {
      headers: { 'HX-Request': 'true', 'HX-Current-URL': `${web.url}/runs` },
    });
    assert.equal(hx.status, 401);
    assert.equal(hx.headers.get('hx-redirect'), '/login?next=%2Fruns');
  });

  test('a role change or removal from the CLI ends the session at the next request', async () => {
    await access.users.add(
      { name: 'temp-op', role: 'operator', password: 'temporary password' },
      { name: 'test' },
    );
    const b = await new Browser(web.url).login('temp-op', 'temporary password');
    assert.equal((await b.request('/')).status, 200);
    access.users.setRole('temp-op', 'viewer', { name: 'cli:root' });
    assert.equal((await b.request('/')).status, 303, 'the old session carried the operator role');
    await b.login('temp-op', 'temporary password');
    assert.match(await b.page('/'), /Signed in as temp-op \(viewer\)/);
    access.users.remove('temp-op', { name: 'cli:root' });
    assert.equal((await b.request('/')).status, 303);
  });

  test('a new password ends the user’s sessions; a time-limited user cannot sign in after expiry', async () => {
    await access.users.add(
      { name: 'support', role: 'viewer', password: 'support password 1' },
      { name: 'test' },
    );
    const b = await new Browser(web.url).login('support', 'support password 1');
    await access.users.setPassword('support', 'support password 2', { name: 'cli:root' });
    assert.equal((await b.request('/')).status, 303);
    await access.users.add(
      {
        name: 'expired',
        role: 'viewer',
        password: 'expired password',
        expiresAt: new Date(Date.now() - 1000),
      },
      { name: 'test' },
    );
    await b.page('/login');
    assert.equal((await b.post('/login', { username: 'expired', password: 'expired password' })).status, 401);
  });

  test('a role changed on the page and back, with no request in between, still ends the user’s session', async () => {
    await access.users.add(
      { name: 'flip-op', role: 'operator', password: 'flip operator password' },
      { name: 'test' },
    );
    const op = await new Browser(web.url).login('flip-op', 'flip operator password');
    assert.equal((await op.request('/')).status, 200);
    const admin = await new Browser(web.url).login('admin');
    assert.equal((await admin.post('/users/role', { name: 'flip-op', role: 'viewer' })).status, 303);
    assert.equal((await admin.post('/users/role', { name: 'flip-op', role: 'operator' })).status, 303);
    assert.equal((await op.request('/')).status, 303, 'the operator session from before the change lives on');
    access.users.remove('flip-op', { name: 'test' });
  });

  test('an expiry set on the page ends the user’s session at once; empty means never, a bad value is refused', async () => {
    await access.users.add(
      { name: 'exp-op', role: 'operator', password: 'expiring password 1' },
      { name: 'test' },
    );
    const op = await new Browser(web.url).login('exp-op', 'expiring password 1');
    const admin = await new Browser(web.url).login('admin');
    assert.equal((await admin.post('/users/expiry', { name: 'exp-op', expiresHours: '8' })).status, 303);
    assert.equal((await op.request('/')).status, 303, 'the session from before the new expiry lives on');
    const expires = access.users.list().find((u) => u.name === 'exp-op')?.expiresAt;
    assert.ok(expires && expires.getTime() > Date.now() + 7 * 3_600_000);
    assert.equal((await admin.post('/users/expiry', { name: 'exp-op', expiresHours: '' })).status, 303);
    assert.equal(access.users.list().find((u) => u.name === 'exp-op')?.expiresAt, null);
    const bad = await admin.post('/users/expiry', { name: 'exp-op', expiresHours: '0' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /The expiry is a number of hours/);
    assert.equal(recentAudit(f.db, 5).find((a) => a.action === 'user.expiry')?.detail, 'never');
    access.users.remove('exp-op', { name: 'test' });
  });

  test('outpost user role, expire and passwd end the user’s sessions in the store; a console sees it within its recheck time', async () => {
    const dataDir = path.join(f.dir, 'cli-sessions');
    let clock = Date.now();
    const db = openDb(dataDir);
    const a = await testAccess(db, { now: () => clock });
    const env = { OUTPOST_DATA_DIR: dataDir, OUTPOST_DEMO: '1' };
    const io = (stdin = '') => ({ env, stdin: Readable.from([stdin]), out: () => {} });
    try {
      const signIn = async () => {
        const r = await a.login('operator', PASSWORDS.operator, { address: '127.0.0.1' });
        assert.ok(r.ok);
        assert.equal(a.session(r.sessionId)?.role, 'operator');
        return r.sessionId;
      };
      const gone = (id: string, what: string) => {
        clock += SESSION_RECHECK_MS;
        assert.equal(a.session(id), null, what);
      };
      const id1 = await signIn();
      await runUser(['role', 'operator', 'viewer'], io());
      await runUser(['role', 'operator', 'operator'], io());
      gone(id1, 'operator → viewer → operator from the CLI left the old session valid');
      const id2 = await signIn();
      await runUser(['expire', 'operator', '--expires', '8h'], io());
      gone(id2, 'a new expiry left the session valid');
      await runUser(['expire', 'operator', '--expires', 'never'], io());
      assert.equal(a.users.list().find((u) => u.name === 'operator')?.expiresAt, null);
      const id3 = await signIn();
      await runUser(['passwd', 'operator', '--password-stdin'], io(`${PASSWORDS.operator}\n`));
      gone(id3, 'a new password left the session valid');
    } finally {
      db.close();
    }
  });

  test('outpost user unlock and passwd let the owner in at once after strangers’ failures from many addresses', async () => {
    const dataDir = path.join(f.dir, 'cli-unlock');
    const db = openDb(dataDir);
    const a = await testAccess(db);
    const env = { OUTPOST_DATA_DIR: dataDir, OUTPOST_DEMO: '1' };
    const io = (stdin = '') => ({ env, stdin: Readable.from([stdin]), out: () => {} });
    const owner = () => a.login('admin', PASSWORDS.admin, { address: '10.1.1.10' });
    const strangers = async () => {
      for (let i = 0; i < 40; i++) await a.login('admin', `guess ${i}`, { address: `10.66.0.${i + 1}` });
    };
    try {
      await strangers();
      const before = await owner();
      assert.ok(!before.ok && before.reason === 'throttled', 'strangers from 40 addresses delay the owner');
      await runUser(['unlock', 'admin'], io());
      assert.ok((await owner()).ok, 'after outpost user unlock');
      await strangers();
      await runUser(['passwd', 'admin', '--password-stdin'], io(`${PASSWORDS.admin}\n`));
      assert.ok((await owner()).ok, 'after outpost user passwd');
      assert.deepEqual(
        recentAudit(db, 200)
          .filter((e) => e.source === 'cli')
          .map((e) => e.action),
        ['user.password', 'user.unlock'],
      );
    } finally {
      db.close();
    }
  });

  test('an admin adds, re-roles, re-keys and removes users on the page; the last admin stays', async () => {
    const b = await new Browser(web.url).login('admin');
    const since = recentAudit(f.db, 1)[0]?.id ?? 0;
    assert.match(await b.page('/users'), /data-testid="users"/);
    assert.equal(
      (
        await b.post('/users/add', {
          name: 'bob',
          role: 'operator',
          password: 'bobs password 1',
          expiresHours: '8',
        })
      ).status,
      303,
    );
    const bob = access.users.list().find((u) => u.name === 'bob');
    assert.equal(bob?.role, 'operator');
    assert.ok(bob?.expiresAt && bob.expiresAt.getTime() > Date.now() + 7 * 3_600_000);
    assert.equal((await b.post('/users/role', { name: 'bob', role: 'viewer' })).status, 303);
    assert.equal((await b.post('/users/password', { name: 'bob', password: 'bobs password 2' })).status, 303);
    await new Browser(web.url).login('bob', 'bobs password 2');
    const short = await b.post('/users/add', { name: 'carl', role: 'viewer', password: 'short' });
    assert.equal(short.status, 400);
    assert.match(await short.text(), /at least 12 characters/);
    assert.equal((await b.post('/users/remove', { name: 'bob' })).status, 303);
    assert.equal(
      access.users.list().some((u) => u.name === 'bob'),
      false,
    );
    const last = await b.post('/users/remove', { name: 'admin' });
    assert.equal(last.status, 409);
    assert.match(await last.text(), /last admin/);
    // The same refusal (an AccessError from server/auth) in the reader's language.
    b.cookies.set('outpost_lang', 'ru');
    const lastRu = await b.post('/users/remove', { name: 'admin' });
    assert.equal(lastRu.status, 409);
    const said = await lastRu.text();
    assert.match(said, /Нельзя удалить последнего администратора/);
    assert.doesNotMatch(said, /last admin/);
    b.cookies.delete('outpost_lang');
    const audit = recentAudit(f.db, 50).filter((a) => a.id > since && a.action.startsWith('user.'));
    assert.ok(audit.every((a) => a.actor === 'admin' && a.role === 'admin' && a.source === '127.0.0.1'));
    assert.deepEqual(audit.map((a) => a.action).reverse(), [
      'user.add',
      'user.role',
      'user.password',
      'user.remove',
    ]);
  });

  test('an operator’s action is audited with their name, role and address, and the admin sees it on /audit', async () => {
    const op = await new Browser(web.url).login('operator');
    const res = await op.post(
      '/actions/hold',
      { hours: '1', reason: 'inventory count' },
      { 'HX-Request': 'true' },
    );
    assert.equal(res.status, 200);
    const hold = recentAudit(f.db, 5).find((a) => a.action === 'hold');
    assert.equal(hold?.actor, 'operator');
    assert.equal(hold?.role, 'operator');
    assert.equal(hold?.source, '127.0.0.1');
    await op.post('/actions/release', {}, { 'HX-Request': 'true' });
    const admin = await new Browser(web.url).login('admin');
    const html = await admin.page('/audit');
    assert.match(html, /<td>operator<\/td><td>operator<\/td><td>127\.0\.0\.1<\/td><td><span title="hold">/);
    // In Russian the hold's target and the release are said in Russian, the stored English is not shown.
    admin.cookies.set('outpost_lang', 'ru');
    const ru = await admin.page('/audit');
    assert.match(ru, /<span title="hold">Приостановка обновлений<\/span><\/td><td class="clip">До /);
    assert.match(ru, /<span title="release-hold">Снятие приостановки<\/span>/);
    assert.doesNotMatch(ru, /until 20\d\d-/);
    const denied = await op.request('/audit');
    assert.equal(denied.status, 403);
    assert.match(await denied.text(), /Your role \(operator\) does not allow this; it needs admin\./);
  });

  test('in Russian an audit entry that quotes an error says what happened, the error only under the support details', async () => {
    const raw = {
      restart: 'admission webhook "policy.example" denied the request: image not allowed',
      upload: 'bundle signature does not verify with any trusted key',
      tunnel: 'nothing answers on the bastion support@bastion.example:22 (connection refused)',
      source: 'changing the source on the console is turned off (OUTPOST_CONSOLE_SOURCE_EDIT=off)',
    };
    const entry = (action: string, result: string, detail: string) =>
      appendAudit(f.db, { actor: 'system', action, target: 'x', result, detail });
    entry('restart', 'failed', auditDetail('restart-failed', { error: raw.restart }));
    entry('upload', 'refused', auditDetail('upload-refused', { error: raw.upload }));
    entry(
      'tunnel-error',
      'refused',
      auditDetail('tunnel-problem', { code: 'connection-refused', error: raw.tunnel }),
    );
    entry(
      'settings.source',
      'refused',
      auditDetail('source-refused', { kind: 'git', url: 'https://git.example/fleet.git', error: raw.source }),
    );
    const admin = await new Browser(web.url).login('admin');
    admin.cookies.set('outpost_lang', 'ru');
    const html = await admin.page('/audit');
    const esc = (t: string) => t.replaceAll('"', '&quot;');
    assertSaidApart(html, 'Кластер не принял перезапуск', esc(raw.restart));
    assertSaidApart(html, 'Пакет не прошёл проверки узла', raw.upload);
    assertSaidApart(html, 'По адресу сервера поддержки никто не отвечает', raw.tunnel);
    assertSaidApart(html, 'Источник git https://git.example/fleet.git нельзя выбрать в консоли', raw.source);
    assert.match(html, /<summary>Подробности для поддержки<\/summary>/);
    // The settings page's own list of recent changes says the refused source the same way.
    assertSaidApart(await admin.page('/settings'), 'нельзя выбрать в консоли', raw.source);
  });

  test('/metrics answers a session or the configured bearer token, nobody else', async () => {
    assert.equal((await fetch(`${web.url}/metrics`)).status, 401);
    const wrong = await fetch(`${web.url}/metrics`, {
      headers: { authorization: 'Bearer scrape-me-pleasE' },
    });
    assert.equal(wrong.status, 401);
    const right = await fetch(`${web.url}/metrics`, {
      headers: { authorization: 'Bearer scrape-me-please' },
    });
    assert.equal(right.status, 200);
    const viewer = await new Browser(web.url).login('viewer');
    assert.equal((await viewer.request('/metrics')).status, 200);
  });

  test('the kiosk opens without sign-in from a kiosk address or with a kiosk token, and from nowhere else', async () => {
    const loopback = await serve(access);
    assert.equal(
      (await fetch(`${loopback.url}/kiosk`)).status,
      200,
      'loopback is a kiosk address by default',
    );
    assert.equal(
      (await fetch(`${web.url}/kiosk`, { redirect: 'manual' })).status,
      303,
      'no kiosk addresses here',
    );
    const token = access.createKioskToken('hall-screen', 'test');
    const screen = new Browser(web.url);
    const first = await screen.request(`/kiosk?every=5&token=${token}`);
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), '/kiosk?every=5', 'the token leaves the address bar');
    assert.equal((await screen.request('/kiosk')).status, 200);
    assert.equal((await screen.request('/fragments/kiosk')).status, 200);
    assert.equal((await screen.request('/')).status, 303, 'a kiosk token opens the kiosk only');
    access.revokeKioskToken('hall-screen', 'test');
    assert.equal((await screen.request('/kiosk')).status, 303);
  });

  test('under a base path every link, asset, redirect and cookie carries the prefix', async () => {
    const w = await serve(access, { basePath: '/support/gw-17' });
    const b = new Browser(`${w.url}/support/gw-17`);
    const login = await b.page('/login');
    assert.match(login, /href="\/support\/gw-17\/static\/app\.css"/);
    assert.match(login, /action="\/support\/gw-17\/login"/);
    assert.equal((await b.request('/static/app.css')).status, 200);
    const denied = await b.request('/runs');
    assert.equal(denied.headers.get('location'), '/support/gw-17/login?next=%2Fruns');
    const res = await b.post('/login', { username: 'viewer', password: PASSWORDS.viewer, next: '/runs' });
    assert.equal(res.headers.get('location'), '/support/gw-17/runs');
    assert.match(res.headers.getSetCookie().join('\n'), /outpost_session=[^;]+;.*Path=\/support\/gw-17\//);
    const overview = await b.page('/');
    const urls = [...overview.matchAll(/(?:href|src|action|hx-get|hx-post)="([^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    assert.ok(urls.length > 10);
    for (const u of urls) {
      if (u.startsWith('#')) continue;
      assert.ok(u.startsWith('/support/gw-17/'), `${u} lacks the prefix`);
    }
    // Probes (kubelet) come without the prefix and still work.
    assert.equal((await fetch(`${w.url}/healthz`)).status, 200);
  });

  test('X-Forwarded-Prefix and -Proto count from a trusted proxy only', async () => {
    const proxied = await serve(access, { basePath: '/gw', trustedProxies: ['127.0.0.1'] });
    const direct = await serve(access, { basePath: '/gw' });
    const headers = { 'x-forwarded-prefix': '/gw', 'x-forwarded-proto': 'https' };
    const viaProxy = await fetch(`${proxied.url}/login`, { headers });
    assert.match(await viaProxy.text(), /action="\/gw\/login"/);
    assert.match(viaProxy.headers.getSetCookie().join('\n'), /Secure/);
    const spoofed = await fetch(`${direct.url}/login`, { headers });
    assert.match(await spoofed.text(), /action="\/login"/);
    assert.doesNotMatch(spoofed.headers.getSetCookie().join('\n'), /Secure/);
    const other = await fetch(`${proxied.url}/login`, { headers: { 'x-forwarded-prefix': '/elsewhere' } });
    assert.match(await other.text(), /action="\/login"/, 'a prefix other than the configured one is ignored');
  });

  test('outpost user add/list/passwd/remove and kiosk-token create work on the store, the password on stdin', async () => {
    const dataDir = path.join(f.dir, 'cli-data');
    // Cheap users made by the test; what the CLI adds or re-keys is hashed at production cost (N=2^17).
    const db = openDb(dataDir);
    const a = await testAccess(db);
    const env = { OUTPOST_DATA_DIR: dataDir, OUTPOST_DEMO: '1' };
    const printed: string[] = [];
    const io = (stdin = '') => ({ env, stdin: Readable.from([stdin]), out: (l: string) => printed.push(l) });
    try {
      await assert.rejects(runUser(['add', 'rita', '--role', 'operator'], io()), /--password-stdin/);
      await runUser(
        ['add', 'rita', '--role', 'operator', '--password-stdin', '--expires', '8h'],
        io('rita password 1\n'),
      );
      await runUser(['passwd', 'admin', '--password-stdin'], io('new admin password\n'));
      await runUser(['remove', 'viewer'], io());
      await assert.rejects(runUser(['remove', 'admin'], io()), /last admin/);
      await runKioskToken(['create', 'lobby'], io());
      const token = printed.at(-1) as string;
      // The real command, as a technician types it, sees the same store.
      const { stdout } = await exec(
        process.execPath,
        [path.join(ROOT, 'bin', 'outpost.js'), 'user', 'list'],
        {
          env: { ...process.env, ...env },
          cwd: ROOT,
        },
      );
      assert.match(stdout, /^rita\s+operator\s+expires 20\d\d-/m);
      assert.match(stdout, /^admin\s+admin\s*$/m);
      assert.doesNotMatch(stdout, /^viewer/m);
      const w = await serve(a, { kioskAddresses: [] });
      await new Browser(w.url).login('rita', 'rita password 1');
      await new Browser(w.url).login('admin', 'new admin password');
      const screen = new Browser(w.url);
      await screen.request(`/kiosk?token=${token}`);
      assert.equal((await screen.request('/kiosk')).status, 200);
      const cliAudit = recentAudit(db, 20)
        .filter((e) => e.source === 'cli')
        .map((e) => e.action);
      assert.deepEqual(cliAudit.reverse(), [
        'user.add',
        'user.password',
        'user.remove',
        'kiosk-token.create',
      ]);
    } finally {
      db.close();
    }
  });
});
