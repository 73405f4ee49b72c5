// Login throttling: failures per account and per address in a sliding window, and a cap on scrypt work in flight.

export interface ThrottleLimits {
  /** Failures for one account name within the window before further attempts are refused. */
  perAccount: number;
  /** Failures from one address within the window, whatever the account. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = Object.freeze({
  perAccount: 10,
  perAddress: 20,
  windowMs: 15 * 60_000,
});

/** Keys kept before old ones are dropped: bounds memory when an attacker cycles names or addresses. */
const MAX_KEYS = 10_000;

export type ThrottleVerdict =
  | { ok: true; attempt: Attempt }
  | { ok: false; scope: 'account' | 'address'; retryAfterMs: number };

export interface Attempt {
  /** A wrong password (or enrollment code): counts against the account and the address. */
  fail(): void;
  /** Right password: the account's failures are forgiven; the address keeps its count. */
  succeed(): void;
  /** Nothing was checked (the box was busy): nothing counts. */
  cancel(): void;
}

export class LoginThrottle {
  readonly limits: ThrottleLimits;
  readonly #now: () => number;
  /** Failure times per key, oldest first, at most `limit` of them. */
  readonly #failures = new Map<string, number[]>();
  /** Attempts being checked right now: they count, so parallel requests cannot slip past the limit. */
  readonly #pending = new Map<string, number>();

  constructor(limits: ThrottleLimits = DEFAULT_LIMITS, now: () => number = Date.now) {
    this.limits = limits;
    this.#now = now;
  }

  /** Asks to check one attempt; refused with the time until the oldest counted failure leaves the window. */
  begin(account: string, address: string): ThrottleVerdict {
    const now = this.#now();
    const keys = [
      { key: `account:${account.toLowerCase()}`, limit: this.limits.perAccount, scope: 'account' as const },
      { key: `address:${address}`, limit: this.limits.perAddress, scope: 'address' as const },
    ];
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
    for (const { key } of keys) this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
    let done = false;
    const finish = (failed: boolean, forgiveAccount: boolean) => {
      if (done) return;
      done = true;
      for (const { key, limit } of keys) {
        const left = (this.#pending.get(key) ?? 1) - 1;
        if (left > 0) this.#pending.set(key, left);
        else this.#pending.delete(key);
        if (failed) this.#record(key, limit, this.#now());
      }
      if (forgiveAccount) this.#failures.delete(keys[0]?.key as string);
    };
    return {
      ok: true,
      attempt: {
        fail: () => finish(true, false),
        succeed: () => finish(false, true),
        cancel: () => finish(false, false),
      },
    };
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
