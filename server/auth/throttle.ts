// Login throttling: a hard lock per (account, address), growing delays per account, and a cap on scrypt work.
//
// Why two kinds: a lock that counts an account's failures from anywhere lets any stranger on the LAN lock the
// owner out for ever. So the hard lock counts per (account, address), and an account's failures from all
// addresses only add delays — in two lanes, so that failures from addresses that already failed for the
// account never slow down an address that has not (the owner at their usual desk). Details: docs/security.md.

export interface ThrottleLimits {
  /** Failures for one account from one address within the window before that address is refused for it. */
  perAccountAddress: number;
  /** Failures from one address within the window, whatever the account. */
  perAddress: number;
  windowMs: number;
  /** Failures per account and lane that cost no delay; further ones double the delay from `baseDelayMs`. */
  freeKnown: number;
  /** Distinct addresses that may fail for an account before attempts from new addresses are delayed. */
  freeFresh: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long an account's failures count towards its delays (much longer than the lock window). */
  delayMemoryMs: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = Object.freeze({
  perAccountAddress: 10,
  perAddress: 20,
  windowMs: 15 * 60_000,
  freeKnown: 9,
  freeFresh: 30,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  delayMemoryMs: 24 * 3_600_000,
});

/** Keys kept before old ones are dropped: bounds memory when an attacker cycles names or addresses. */
const MAX_KEYS = 10_000;
/** Failures remembered per account and lane: the delay stops growing long before this many. */
const MAX_LANE_ENTRIES = 64;

export type ThrottleScope = 'account-address' | 'address' | 'account';

export type ThrottleVerdict =
  | { ok: true; attempt: Attempt }
  | { ok: false; scope: ThrottleScope; retryAfterMs: number };

export interface Attempt {
  /** A wrong password (or enrollment code): counts for the pair, the address and the account's lane. */
  fail(): void;
  /** Right password: this address's failures on this account are forgiven; other addresses' are not. */
  succeed(): void;
  /** Nothing was checked (the box was busy): nothing counts. */
  cancel(): void;
}

interface LaneEntry {
  at: number;
  address: string;
}

/** An account's failures in its two lanes: from addresses that had failed for it before, and from new ones. */
interface AccountLanes {
  known: LaneEntry[];
  fresh: LaneEntry[];
  /** Attempts being checked right now, per lane: once delays apply, a lane checks one attempt at a time. */
  pendingKnown: number;
  pendingFresh: number;
  /** The newest `outpost user passwd/unlock` time already applied. */
  resetAt: number;
}

export class LoginThrottle {
  readonly limits: ThrottleLimits;
  readonly #now: () => number;
  /** Failure times per pair or address key, oldest first, at most `limit` of them. */
  readonly #failures = new Map<string, number[]>();
  /** Attempts being checked right now: they count, so parallel requests cannot slip past the limit. */
  readonly #pending = new Map<string, number>();
  readonly #accounts = new Map<string, AccountLanes>();

  constructor(limits: ThrottleLimits = DEFAULT_LIMITS, now: () => number = Date.now) {
    this.limits = limits;
    this.#now = now;
  }

  /** The delay after `n` failures in a lane that allows `free` of them without one. */
  delayAfter(n: number, free: number): number {
    if (n < free) return 0;
    return Math.min(this.limits.maxDelayMs, this.limits.baseDelayMs * 2 ** Math.min(30, n - free));
  }

  /**
   * Asks to check one attempt. Refused with how long to wait: until the pair's or address's oldest counted
   * failure leaves the window, or until the account's lane has waited its delay. `resetAt` is the time of the
   * account's last `outpost user passwd/unlock` (from the store): failures before it no longer count.
   */
  begin(account: string, address: string, resetAt: number | null = null): ThrottleVerdict {
    const now = this.#now();
    const acc = account.toLowerCase();
    const pairKey = `pair:${acc}|${address}`;
    const keys = [
      { key: pairKey, limit: this.limits.perAccountAddress, scope: 'account-address' as const },
      { key: `address:${address}`, limit: this.limits.perAddress, scope: 'address' as const },
    ];
    const lanes = this.#lanes(acc, now, resetAt);
    for (const { key, limit, scope } of keys) {
      const times = this.#recent(key, now);
      const pending = this.#pending.get(key) ?? 0;
      if (times.length + pending >= limit) {
        // The failure that must age out for one more attempt to be allowed (or, when only in-flight
        // attempts fill the quota, a second from now).
        const idx = times.length - (limit - pending);
        const oldest = idx >= 0 ? times[idx] : undefined;
        const retryAfterMs =
          oldest === undefined ? 1000 : Math.max(1000, oldest + this.limits.windowMs - now);
        return { ok: false, scope, retryAfterMs };
      }
    }
    // An address that failed for this account within the delay memory waits in the known lane, so each
    // address enters the fresh lane at most once a day: the fresh lane counts distinct addresses.
    const known =
      (this.#pending.get(pairKey) ?? 0) > 0 ||
      lanes.known.some((e) => e.address === address) ||
      lanes.fresh.some((e) => e.address === address);
    const lane = known ? lanes.known : lanes.fresh;
    const pendingLane = known ? lanes.pendingKnown : lanes.pendingFresh;
    const free = known ? this.limits.freeKnown : this.limits.freeFresh;
    const count = lane.length;
    if (count + pendingLane >= free) {
      const last = lane.at(-1)?.at ?? now;
      const wait = pendingLane > 0 ? 1000 : last + this.delayAfter(count, free) - now;
      if (wait > 0) return { ok: false, scope: 'account', retryAfterMs: Math.max(1000, wait) };
    }
    for (const { key } of keys) this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
    if (known) lanes.pendingKnown++;
    else lanes.pendingFresh++;
    let done = false;
    const finish = (outcome: 'failed' | 'succeeded' | 'cancelled') => {
      if (done) return;
      done = true;
      const at = this.#now();
      if (known) lanes.pendingKnown--;
      else lanes.pendingFresh--;
      for (const { key, limit } of keys) {
        const left = (this.#pending.get(key) ?? 1) - 1;
        if (left > 0) this.#pending.set(key, left);
        else this.#pending.delete(key);
        if (outcome === 'failed') this.#record(key, limit, at);
      }
      if (outcome === 'failed') {
        // The lane's current array: another attempt may have aged it into a new one meanwhile.
        const into = known ? lanes.known : lanes.fresh;
        into.push({ at, address });
        if (into.length > MAX_LANE_ENTRIES) into.splice(0, into.length - MAX_LANE_ENTRIES);
      }
      if (outcome === 'succeeded') {
        this.#failures.delete(pairKey);
        lanes.known = lanes.known.filter((e) => e.address !== address);
        lanes.fresh = lanes.fresh.filter((e) => e.address !== address);
      }
    };
    return {
      ok: true,
      attempt: {
        fail: () => finish('failed'),
        succeed: () => finish('succeeded'),
        cancel: () => finish('cancelled'),
      },
    };
  }

  /** The account's lanes, aged and with a newer reset applied; made on first use, bounded in number. */
  #lanes(acc: string, now: number, resetAt: number | null): AccountLanes {
    let lanes = this.#accounts.get(acc);
    if (!lanes) {
      lanes = { known: [], fresh: [], pendingKnown: 0, pendingFresh: 0, resetAt: Number.NEGATIVE_INFINITY };
      if (this.#accounts.size >= MAX_KEYS) this.#sweepAccounts(now);
      this.#accounts.set(acc, lanes);
    }
    if (resetAt !== null && resetAt > lanes.resetAt) {
      lanes.resetAt = resetAt;
      const prefix = `pair:${acc}|`;
      for (const [key, times] of this.#failures) {
        if (!key.startsWith(prefix)) continue;
        const kept = times.filter((t) => t > resetAt);
        if (kept.length === 0) this.#failures.delete(key);
        else this.#failures.set(key, kept);
      }
    }
    const after = Math.max(now - this.limits.delayMemoryMs, lanes.resetAt);
    lanes.known = lanes.known.filter((e) => e.at > after);
    lanes.fresh = lanes.fresh.filter((e) => e.at > after);
    return lanes;
  }

  /**
   * Makes room when MAX_KEYS accounts are tracked: first those whose failures are all older than the delay
   * memory, then those with the fewest failures. A flood of made-up names (one failure each, or none) so
   * never pushes out the delays of an account that is really being guessed.
   */
  #sweepAccounts(now: number): void {
    const idle = (l: AccountLanes) => l.pendingKnown + l.pendingFresh === 0;
    for (const [acc, l] of this.#accounts) {
      const newest = Math.max(l.known.at(-1)?.at ?? 0, l.fresh.at(-1)?.at ?? 0);
      if (idle(l) && newest <= now - this.limits.delayMemoryMs) this.#accounts.delete(acc);
    }
    const target = Math.floor(MAX_KEYS * 0.9);
    if (this.#accounts.size <= target) return;
    const byFailures = [...this.#accounts]
      .filter(([, l]) => idle(l))
      .sort(([, a], [, b]) => a.known.length + a.fresh.length - (b.known.length + b.fresh.length));
    for (const [acc] of byFailures.slice(0, this.#accounts.size - target)) this.#accounts.delete(acc);
  }

  #recent(key: string, now: number): number[] {
    const times = this.#failures.get(key);
    if (!times) return [];
    const fresh = times.filter((t) => t > now - this.limits.windowMs);
    if (fresh.length === 0) this.#failures.delete(key);
    else if (fresh.length !== times.length) this.#failures.set(key, fresh);
    return fresh;
  }

  #record(key: string, limit: number, now: number): void {
    const times = this.#recent(key, now);
    times.push(now);
    if (times.length > limit) times.splice(0, times.length - limit);
    // Re-inserting moves the key to the end: the map's first keys are the least recently failed.
    this.#failures.delete(key);
    this.#failures.set(key, times);
    if (this.#failures.size > MAX_KEYS) this.#sweep(now);
  }

  #sweep(now: number): void {
    for (const key of [...this.#failures.keys()]) this.#recent(key, now);
    for (const key of this.#failures.keys()) {
      if (this.#failures.size <= MAX_KEYS * 0.9) break;
      this.#failures.delete(key);
    }
  }
}

/** A non-blocking cap on concurrent work: enter() gives a release function, or null when full. */
export class Gate {
  readonly max: number;
  #inside = 0;
  constructor(max: number) {
    this.max = max;
  }
  get inside(): number {
    return this.#inside;
  }
  enter(): (() => void) | null {
    if (this.#inside >= this.max) return null;
    this.#inside++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inside--;
    };
  }
}
