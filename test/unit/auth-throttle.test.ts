// Sign-in throttling: brute force stays slow from one address or many, and strangers cannot lock the owner out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AccessService } from '../../server/auth/service.ts';
import { DEFAULT_LIMITS, LoginThrottle } from '../../server/auth/throttle.ts';
import { recentAudit } from '../../server/db/audit.ts';
import { openDb } from '../../server/db/open.ts';
import { PASSWORDS, TEST_COST, testAccess } from '../support/http.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** An access service with the default limits on a fresh store, the three test users and a fake clock. */
async function target(): Promise<{ access: AccessService; advance(ms: number): void; checks(): number }> {
  let clock = Date.parse('2026-11-24T08:00:00Z');
  const db = openDb(':memory:');
  const access = await testAccess(db, { now: () => clock, cost: TEST_COST });
  return {
    access,
    advance: (ms) => {
      clock += ms;
    },
    // Every password check that ran and failed is audited as a failed login; refused attempts are not.
    checks: () => recentAudit(db, 10_000).filter((a) => a.action === 'login' && a.result === 'failed').length,
  };
}

const stranger = (i: number) => ({ address: `10.66.${Math.floor(i / 250)}.${(i % 250) + 1}` });
const desk = { address: '10.1.1.10' };

describe('sign-in throttle', () => {
  test('1,000 guesses from one address run at most a handful of password checks', async () => {
    const t = await target();
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      const r = await t.access.login('admin', `guess ${i}`, { address: '10.66.0.1' });
      if (!r.ok && r.reason === 'throttled') refused++;
      t.advance(1000);
    }
    // 10 at once, then the pair lock; as the first ones age out after 15 min, the account's delay spaces the rest.
    assert.ok(t.checks() <= 20, `${t.checks()} checks ran`);
    assert.equal(refused, 1000 - t.checks());
  });

  test('1,000 guesses each from a new address run at most a handful of password checks', async () => {
    const t = await target();
    for (let i = 0; i < 1000; i++) {
      await t.access.login('admin', `guess ${i}`, stranger(i));
      t.advance(1000);
    }
    // The first 30 new addresses cost nothing; after that new addresses wait a doubling delay.
    assert.ok(t.checks() <= 45, `${t.checks()} checks ran`);
  });

  test('a patient attacker with any number of addresses gets fewer guesses a day than the old 10 per 15 minutes', () => {
    let now = 0;
    const th = new LoginThrottle(DEFAULT_LIMITS, () => now);
    let guesses = 0;
    let address = 0;
    // Every second, one guess from a new address and one from an address that already failed.
    for (; now < DAY; now += 1000) {
      for (const from of [`10.9.${address >> 8}.${address & 255}`, '10.8.0.1']) {
        const v = th.begin('admin', from);
        if (!v.ok) continue;
        v.attempt.fail();
        guesses++;
        if (from !== '10.8.0.1') address++;
      }
    }
    // The old policy allowed 96 windows × 10 = 960 a day.
    assert.ok(guesses <= 250, `${guesses} guesses in a day`);
  });

  test('1,000 failures by strangers from 20 addresses do not stop the owner at their own desk', async () => {
    const t = await target();
    for (let i = 0; i < 1000; i++) {
      await t.access.login('admin', `guess ${i}`, stranger(i % 20));
      t.advance(100);
    }
    const owner = await t.access.login('admin', PASSWORDS.admin, desk);
    assert.ok(owner.ok, JSON.stringify(owner));
  });

  test('strangers from many addresses only delay the owner, and unlock or a new password ends that at once', async () => {
    const t = await target();
    for (let i = 0; i < 1000; i++) await t.access.login('admin', `guess ${i}`, stranger(i));
    const delayed = await t.access.login('admin', PASSWORDS.admin, desk);
    assert.ok(!delayed.ok && delayed.reason === 'throttled', JSON.stringify(delayed));
    assert.ok(delayed.retryAfterMs <= DEFAULT_LIMITS.maxDelayMs);
    t.access.users.unlock('admin', { name: 'cli:root' });
    assert.ok((await t.access.login('admin', PASSWORDS.admin, desk)).ok);

    for (let i = 0; i < 1000; i++) await t.access.login('operator', `guess ${i}`, stranger(i));
    await t.access.users.setPassword('operator', 'a brand new password', { name: 'cli:root' });
    assert.ok((await t.access.login('operator', 'a brand new password', desk)).ok);
    // After the reset the counting starts again: an address that keeps guessing is locked as before.
    for (let i = 0; i < 10; i++) await t.access.login('operator', `again ${i}`, stranger(1));
    const again = await t.access.login('operator', 'a brand new password', stranger(1));
    assert.ok(!again.ok && again.reason === 'throttled');
  });

  test('one address is locked for one account after 10 failures in 15 minutes; other addresses are not', () => {
    let now = 1_000_000;
    const th = new LoginThrottle(DEFAULT_LIMITS, () => now);
    for (let i = 0; i < 10; i++) {
      const v = th.begin('alice', '10.0.0.1');
      assert.ok(v.ok, `attempt ${i + 1}`);
      v.attempt.fail();
    }
    const locked = th.begin('ALICE', '10.0.0.1');
    assert.ok(!locked.ok && locked.scope === 'account-address' && locked.retryAfterMs === 15 * MIN);
    assert.ok(th.begin('alice', '10.0.0.2').ok, 'another address is not locked out');
    now += 15 * MIN + 1;
    assert.ok(th.begin('alice', '10.0.0.1').ok);
  });

  test('delays grow per account: doubling from one second, capped, forgotten after a day', () => {
    const th = new LoginThrottle(DEFAULT_LIMITS);
    assert.equal(th.delayAfter(8, 9), 0);
    assert.equal(th.delayAfter(9, 9), 1000);
    assert.equal(th.delayAfter(12, 9), 8000);
    assert.equal(th.delayAfter(1000, 9), DEFAULT_LIMITS.maxDelayMs);
    let now = 0;
    const t2 = new LoginThrottle(DEFAULT_LIMITS, () => now);
    for (let i = 0; i < DEFAULT_LIMITS.freeFresh; i++) {
      const v = t2.begin('bob', `10.0.1.${i}`);
      assert.ok(v.ok);
      v.attempt.fail();
    }
    const slowed = t2.begin('bob', '10.0.2.1');
    assert.ok(!slowed.ok && slowed.scope === 'account' && slowed.retryAfterMs === 1000);
    now += DAY + 1;
    assert.ok(t2.begin('bob', '10.0.2.1').ok);
  });

  test('a right password forgives this address’s failures on the account, not other addresses’', () => {
    const th = new LoginThrottle({ ...DEFAULT_LIMITS, freeKnown: 2 }, () => 0);
    for (const from of ['10.0.0.1', '10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.2', '10.0.0.2']) {
      const v = th.begin('carol', from);
      if (v.ok) v.attempt.fail();
    }
    assert.equal(th.begin('carol', '10.0.0.1').ok, false, 'the known lane is slowed');
    const ok = th.begin('carol', '10.0.0.9');
    assert.ok(ok.ok);
    ok.attempt.succeed();
    assert.equal(th.begin('carol', '10.0.0.2').ok, false, 'a stranger’s failures still count');
  });

  test('the failures forgotten by a reset are the ones before it, whoever asks next', () => {
    let now = 0;
    const th = new LoginThrottle(DEFAULT_LIMITS, () => now);
    for (let i = 0; i < 10; i++) {
      const v = th.begin('dave', '10.0.0.1');
      if (v.ok) v.attempt.fail();
    }
    now = 1000;
    assert.equal(th.begin('dave', '10.0.0.1').ok, false);
    const v = th.begin('dave', '10.0.0.1', 500);
    assert.ok(v.ok, 'reset at 500 forgives failures at 0');
    v.attempt.cancel();
  });

  test('a flood of made-up user names does not push out the delays of the account being guessed', () => {
    let now = 0;
    const th = new LoginThrottle(DEFAULT_LIMITS, () => now);
    // 12 failures two minutes apart: never the pair lock, but the known lane is delaying.
    for (let i = 0; i < 12; i++) {
      const v = th.begin('admin', '10.0.0.1');
      assert.ok(v.ok, `attempt ${i + 1}`);
      v.attempt.fail();
      now += 2 * MIN;
    }
    now -= 2 * MIN - 1;
    const slowed = th.begin('admin', '10.0.0.1');
    assert.ok(!slowed.ok && slowed.scope === 'account');
    for (let i = 0; i < 12_000; i++) {
      const v = th.begin(`nobody-${i}`, `a${Math.floor(i / 19)}`);
      if (v.ok) v.attempt.fail();
    }
    const still = th.begin('admin', '10.0.0.1');
    assert.ok(!still.ok && still.scope === 'account', JSON.stringify(still));
  });
});
