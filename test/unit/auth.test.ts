// The pure parts of access control: password hashing, codes, throttling, address lists, route policy, next.
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, test } from 'node:test';
import { addressListProblems, addressMatcher, splitList } from '../../server/auth/addresses.ts';
import {
  hashPassword,
  MAXMEM,
  needsRehash,
  PRODUCTION_COST,
  parseHash,
  verifyPassword,
} from '../../server/auth/password.ts';
import { createAccessService, SESSION_RECHECK_MS } from '../../server/auth/service.ts';
import { DEFAULT_LIMITS, Gate, LoginThrottle } from '../../server/auth/throttle.ts';
import { hashCode, newEnrollmentCode, normalizeCode, safeEqual } from '../../server/auth/tokens.ts';
import { loadConfig } from '../../server/config.ts';
import { openDb } from '../../server/db/open.ts';
import { deleteUserSessions } from '../../server/db/sessions.ts';
import { findUser } from '../../server/db/users.ts';
import { requiredAccess, safeNext } from '../../server/web/middleware/auth.ts';
import { TEST_COST } from '../support/http.ts';
import { silentLog } from '../support/log.ts';

describe('passwords', () => {
  test('production hashes use scrypt N=2^17, r=8, p=1 with enough maxmem, and verify', async () => {
    assert.deepEqual({ ...PRODUCTION_COST }, { N: 131072, r: 8, p: 1 });
    assert.ok(MAXMEM >= 128 * PRODUCTION_COST.N * PRODUCTION_COST.r * 2);
    // The service's default, not just the constant: what `user add` stores on a real node.
    const db = openDb(':memory:');
    const access = createAccessService({ db, log: silentLog, sessionIdleMs: 60_000, sessionMaxMs: 120_000 });
    await access.users.add(
      { name: 'ops', role: 'admin', password: 'a long enough password' },
      { name: 'test' },
    );
    const stored = findUser(db, 'ops')?.password ?? '';
    const parsed = parseHash(stored);
    assert.deepEqual(parsed?.cost, { N: 131072, r: 8, p: 1 });
    assert.equal(parsed?.salt.length, 16);
    assert.ok(await verifyPassword('a long enough password', stored));
    db.close();
  });

  test('a hash verifies only its own password and carries a fresh salt each time', async () => {
    const a = await hashPassword('correct horse battery', TEST_COST);
    const b = await hashPassword('correct horse battery', TEST_COST);
    assert.notEqual(a, b);
    assert.match(a, /^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.equal(await verifyPassword('correct horse battery', a), true);
    assert.equal(await verifyPassword('correct horse batterY', a), false);
    assert.equal(await verifyPassword('', a), false);
  });

  test('a malformed or absurd stored hash never matches', async () => {
    for (const bad of [
      '',
      'plain',
      'scrypt$1000$8$1$AAAA$BBBB',
      `scrypt$${2 ** 24}$8$1$${'A'.repeat(22)}$${'B'.repeat(43)}`,
    ]) {
      assert.equal(await verifyPassword('x', bad), false, bad);
    }
  });

  test('a hash made with other parameters asks to be rehashed', async () => {
    const h = await hashPassword('correct horse battery', TEST_COST);
    assert.equal(needsRehash(h, TEST_COST), false);
    assert.equal(needsRehash(h, PRODUCTION_COST), true);
  });
});

describe('session lookups', () => {
  test('are remembered for a second; changes made here end a session at once, another process’s within that second', async () => {
    let clock = 1_000_000;
    const db = openDb(':memory:');
    const access = createAccessService({
      db,
      log: silentLog,
      sessionIdleMs: 60_000,
      sessionMaxMs: 120_000,
      cost: TEST_COST,
      now: () => clock,
    });
    const from = { address: '127.0.0.1' };
    await access.users.add(
      { name: 'ops', role: 'operator', password: 'a long enough password' },
      { name: 't' },
    );
    const login = async () => {
      const r = await access.login('ops', 'a long enough password', from);
      assert.ok(r.ok);
      return r.sessionId;
    };
    // Another process (the CLI) removes the sessions behind the service's back.
    const id = await login();
    assert.equal(access.session(id)?.role, 'operator');
    deleteUserSessions(db, findUser(db, 'ops')?.id ?? -1);
    clock += SESSION_RECHECK_MS - 1;
    assert.equal(access.session(id)?.role, 'operator', 'still the remembered lookup');
    clock += 1;
    assert.equal(access.session(id), null, 'read again after a second: gone');
    // The same change made through this service ends the session on the very next lookup.
    const id2 = await login();
    assert.equal(access.session(id2)?.role, 'operator');
    access.users.setRole('ops', 'viewer', { name: 't' });
    assert.equal(access.session(id2), null);
    // Signing out, too.
    const id3 = await login();
    assert.equal(access.session(id3)?.role, 'viewer');
    access.logout(id3, from);
    assert.equal(access.session(id3), null);
    // The idle timeout still counts from the last touch, remembered or not.
    const id4 = await login();
    clock += 59_999;
    assert.equal(access.session(id4)?.name, 'ops');
    clock += 59_999;
    assert.equal(access.session(id4)?.name, 'ops', 'the lookup above touched the session');
    clock += 60_000;
    assert.equal(access.session(id4), null);
    db.close();
  });
});

describe('enrollment codes and tokens', () => {
  test('a code is 16 unambiguous characters in groups of four, different every time', () => {
    const a = newEnrollmentCode();
    assert.match(a, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    assert.notEqual(a, newEnrollmentCode());
  });

  test('a code typed in lower case, without dashes or with O for 0 still matches', () => {
    assert.equal(normalizeCode('ab0i-l1o2 '), 'AB011102');
    assert.equal(hashCode('7KQ2-M9XD-3VHT-P0RS'), hashCode('7kq2m9xd3vhtpors'));
    assert.notEqual(hashCode('7KQ2-M9XD-3VHT-P0RS'), hashCode('7KQ2-M9XD-3VHT-P0RT'));
  });

  test('safeEqual compares strings of any length', () => {
    assert.equal(safeEqual('token-1', 'token-1'), true);
    assert.equal(safeEqual('token-1', 'token-12'), false);
    assert.equal(safeEqual('', 'x'), false);
  });
});

describe('login throttle', () => {
  // The per-account policy (hard lock per address, delays per account) is in auth-throttle.test.ts.
  const limits = { ...DEFAULT_LIMITS, perAddress: 20 };

  test('an address is refused after 20 failures whatever the account', () => {
    const t = new LoginThrottle(limits, () => 5);
    for (let i = 0; i < 20; i++) {
      const v = t.begin(`user${i}`, '192.0.2.7');
      assert.ok(v.ok, `attempt ${i + 1}`);
      v.attempt.fail();
    }
    const r = t.begin('someone-else', '192.0.2.7');
    assert.ok(!r.ok && r.scope === 'address');
    assert.ok(t.begin('someone-else', '192.0.2.8').ok);
  });

  test('attempts in flight count, so parallel guesses cannot pass the limit', () => {
    const t = new LoginThrottle({ ...DEFAULT_LIMITS, perAccountAddress: 3 }, () => 0);
    const started = [1, 2, 3].map(() => t.begin('bob', '10.0.0.1'));
    assert.ok(started.every((v) => v.ok));
    assert.equal(t.begin('bob', '10.0.0.1').ok, false);
    for (const v of started) if (v.ok) v.attempt.cancel();
    assert.equal(t.begin('bob', '10.0.0.1').ok, true);
  });

  test('the gate admits only its maximum at once', () => {
    const g = new Gate(2);
    const a = g.enter();
    const b = g.enter();
    assert.ok(a && b);
    assert.equal(g.enter(), null);
    a();
    a();
    assert.equal(g.inside, 1);
    assert.ok(g.enter());
  });
});

describe('address lists', () => {
  test('addresses and CIDR ranges match, IPv4 seen as IPv6 included', () => {
    const m = addressMatcher(splitList('127.0.0.1, ::1 10.42.0.0/16\nfd00::/8'));
    for (const yes of ['127.0.0.1', '::ffff:127.0.0.1', '::1', '10.42.3.4', 'fd00::5'])
      assert.equal(m(yes), true, yes);
    for (const no of ['127.0.0.2', '10.43.0.1', '::2', 'fe80::1', undefined, 'junk'])
      assert.equal(m(no), false, String(no));
    assert.equal(addressMatcher([])('127.0.0.1'), false);
  });

  test('a bad entry is named in plain words', () => {
    assert.deepEqual(addressListProblems(['10.0.0.1', '10.0.0.0/8']), []);
    assert.equal(addressListProblems(['10.0.0.0/33', 'proxy.local', '::1/129']).length, 3);
  });

  test('an address is accepted exactly when net.isIP accepts it (IPv6 is read by the address parser)', () => {
    const cases = [
      '::1',
      '127.0.0.1',
      '::',
      '::ffff:10.0.0.1',
      '0:0:0:0:0:0:0:1',
      '1:2:3:4:5:6:7:8',
      'fe80::1%eth0',
    ];
    const bad = [
      '',
      'abc',
      ':1',
      '1:',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '::ffff:1.2.3',
      'g::1',
      '[::1]',
      '::1 ',
      'fe80::1%',
      '10.0.0.256',
    ];
    for (const a of [...cases, ...bad]) {
      assert.equal(addressListProblems([a]).length === 0, isIP(a) !== 0, JSON.stringify(a));
    }
    assert.equal(
      bad.filter((a) => isIP(a) === 0).length,
      bad.length,
      'the bad cases are bad for net.isIP too',
    );
  });
});

describe('route policy', () => {
  test('pages need a viewer, actions an operator, users/audit/settings/tunnel an admin, unknown writes an admin', () => {
    const cases: [string, string, string][] = [
      ['GET', '/login', 'public'],
      ['POST', '/login', 'public'],
      ['POST', '/logout', 'public'],
      ['GET', '/setup', 'public'],
      ['GET', '/healthz', 'public'],
      ['GET', '/static/app.css', 'public'],
      ['GET', '/kiosk', 'kiosk'],
      ['GET', '/fragments/kiosk', 'kiosk'],
      ['POST', '/kiosk', 'admin'],
      ['GET', '/metrics', 'metrics'],
      ['GET', '/', 'viewer'],
      ['GET', '/revisions/3', 'viewer'],
      ['GET', '/support/bundle', 'operator'],
      ['POST', '/actions/sync', 'operator'],
      ['POST', '/actions/restart', 'operator'],
      ['POST', '/actions/settings/schedule', 'admin'],
      ['POST', '/actions/tunnel/open', 'admin'],
      ['GET', '/users', 'admin'],
      ['GET', '/audit', 'admin'],
      ['POST', '/users/add', 'admin'],
      ['POST', '/something-new', 'admin'],
      ['DELETE', '/', 'admin'],
    ];
    for (const [m, p, need] of cases) assert.equal(requiredAccess(m, p), need, `${m} ${p}`);
  });

  test('case, trailing slashes and percent-encoding never slip past a stricter need', () => {
    assert.equal(requiredAccess('GET', '/USERS/'), 'admin');
    assert.equal(requiredAccess('GET', '/%75sers'), 'admin');
    assert.equal(requiredAccess('POST', '/Actions/Settings/Pause'), 'admin');
    assert.equal(requiredAccess('POST', '/ACTIONS/SYNC/'), 'operator');
    assert.equal(requiredAccess('GET', '/Login/'), 'public');
  });
});

describe('safeNext', () => {
  test('only a path on this console survives', () => {
    assert.equal(safeNext('/revisions/3?x=1'), '/revisions/3?x=1');
    for (const evil of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      '/\t/evil.example',
      '/.//evil.example',
      'javascript:alert(1)',
      'revisions',
      '/login',
      '/logout',
      undefined,
      ['/'],
    ]) {
      const out = safeNext(evil);
      // A browser resolves the Location against the console: a single leading slash keeps it there.
      assert.ok(
        out.startsWith('/') && !out.startsWith('//') && !out.includes('\\'),
        `${String(evil)} → ${out}`,
      );
      assert.equal(new URL(out, 'http://console.test').host, 'console.test');
    }
    assert.equal(safeNext('/.//evil.example'), '/evil.example');
    assert.equal(safeNext('//evil.example/x'), '/');
  });
});

describe('access configuration', () => {
  const base = { OUTPOST_DEMO: '1' };

  test('defaults: loopback kiosk, no trusted proxy, no base path, 30 min idle, 12 h absolute, 1 h code', () => {
    const c = loadConfig(base);
    assert.deepEqual(c.access, {
      enrollmentTtlMs: 3_600_000,
      sessionIdleMs: 1_800_000,
      sessionMaxMs: 43_200_000,
      kioskAddresses: ['127.0.0.1', '::1'],
      trustedProxies: [],
      basePath: '',
      allowedHosts: [],
    });
    assert.equal(c.tls, null);
  });

  test('every access setting is read from its variable', () => {
    const c = loadConfig({
      ...base,
      OUTPOST_ENROLLMENT_CODE_FILE: '/run/secrets/code',
      OUTPOST_ENROLLMENT_TTL: '10m',
      OUTPOST_SESSION_IDLE: '5m',
      OUTPOST_SESSION_MAX: '1h',
      OUTPOST_METRICS_TOKEN_FILE: '/run/secrets/metrics',
      OUTPOST_KIOSK_ADDRESSES: '127.0.0.1,10.0.0.50',
      OUTPOST_TRUSTED_PROXIES: '10.42.0.0/16',
      OUTPOST_BASE_PATH: '/support/gw-17/',
      OUTPOST_ALLOWED_HOSTS: 'console.plant.example',
      OUTPOST_TLS_CERT_FILE: '/tls/tls.crt',
      OUTPOST_TLS_KEY_FILE: '/tls/tls.key',
    });
    assert.deepEqual(c.access, {
      enrollmentCodeFile: '/run/secrets/code',
      enrollmentTtlMs: 600_000,
      sessionIdleMs: 300_000,
      sessionMaxMs: 3_600_000,
      metricsTokenFile: '/run/secrets/metrics',
      kioskAddresses: ['127.0.0.1', '10.0.0.50'],
      trustedProxies: ['10.42.0.0/16'],
      basePath: '/support/gw-17',
      allowedHosts: ['console.plant.example'],
    });
    assert.deepEqual(c.tls, { certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' });
  });

  test('bad access settings stop the start with one line each', () => {
    assert.throws(
      () =>
        loadConfig({
          ...base,
          OUTPOST_TRUSTED_PROXIES: 'proxy.local',
          OUTPOST_KIOSK_ADDRESSES: '10.0.0.0/40',
          OUTPOST_BASE_PATH: 'support/../x',
          OUTPOST_SESSION_IDLE: '2h',
          OUTPOST_SESSION_MAX: '1h',
          OUTPOST_TLS_CERT_FILE: '/tls/tls.crt',
        }),
      (err: Error & { problems?: string[] }) => {
        const text = (err.problems ?? []).join('\n');
        for (const name of [
          'OUTPOST_TRUSTED_PROXIES',
          'OUTPOST_KIOSK_ADDRESSES',
          'OUTPOST_BASE_PATH',
          'OUTPOST_SESSION_IDLE',
          'OUTPOST_TLS_KEY_FILE',
        ]) {
          assert.match(text, new RegExp(name));
        }
        return true;
      },
    );
  });
});
