// One reconcile at a time across processes and pods (the server and `outpost sync --once` share the store): a
// lease row in SQLite that its holder renews while it works. A lease not renewed for LEASE_MS (its pod was replaced,
// its process killed or hung) is taken over, and the sync run its holder left open is closed as interrupted.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../db/open.ts';
import { closeAbandonedRuns } from '../db/runs.ts';
import { stateCell } from '../db/state.ts';

/** How long a lease holds without renewal: the longest a replaced pod can block everyone else's syncs. */
export const LEASE_MS = 30_000;
/** How often a holder renews: six chances per lease, so one slow write or busy moment does not lose it. */
const RENEW_MS = LEASE_MS / 6;

export interface Holder {
  /** Who holds it: pids repeat across pods (often 1 in every container) and after restarts. */
  owner?: string;
  pid: number;
  host: string;
  since: string;
  /** Absent in leases written before renewal existed: `since` counts then. */
  renewedAt?: string;
}

export interface LockOptions {
  /** Give up waiting for a live holder after this long. */
  timeoutMs?: number;
  /** Called when a lease its holder stopped renewing is taken over, with the number of runs closed. */
  onTakeover?: (previous: Holder, closedRuns: number) => void;
  /** Tests: a clock, the renewal period, and the identity of the process asking. */
  now?: () => number;
  renewMs?: number;
  owner?: string;
  host?: string;
}

const PROCESS_OWNER = randomUUID();
/** The lease: this module's own key of the state table (tests write a foreign holder's lease through it). */
export const lockLease = stateCell<Holder>('reconcile_lock');

interface Me {
  owner: string;
  host: string;
  now: () => number;
}

function me(o: LockOptions): Me {
  return { owner: o.owner ?? PROCESS_OWNER, host: o.host ?? hostname(), now: o.now ?? Date.now };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a lease no longer counts, or null while it does. */
function gone(h: Holder, m: Me): string | null {
  const renewed = Date.parse(h.renewedAt ?? h.since);
  if (!(m.now() - renewed <= LEASE_MS)) return `stopped renewing its lease at ${h.renewedAt ?? h.since}`;
  // On the same host a killed process is known at once; elsewhere only the lease's age tells.
  if (h.host === m.host && !pidAlive(h.pid)) return 'is no longer running';
  return null;
}

const mine = (h: Holder | null, m: Me) => h !== null && (h.owner ?? '') === m.owner;

/** Takes the lease if it is free, ours, or its holder is gone; returns the live holder otherwise. */
export function tryLock(db: Db, opts: LockOptions = {}): Holder | null {
  const m = me(opts);
  const outcome = db
    .transaction((): { blocking: Holder } | { takenFrom: Holder | null; closed: number } => {
      const holder = lockLease.get(db);
      let closed = 0;
      if (holder && !mine(holder, m)) {
        const why = gone(holder, m);
        if (!why) return { blocking: holder };
        // Only the lease holder runs a sync, so any run still open is the one the gone holder left.
        closed = closeAbandonedRuns(
          db,
          new Date(m.now()),
          `Outpost process ${holder.pid} on ${holder.host} ${why} before this sync finished`,
        );
      }
      const at = new Date(m.now()).toISOString();
      lockLease.set(db, {
        owner: m.owner,
        pid: process.pid,
        host: m.host,
        since: holder && mine(holder, m) ? holder.since : at,
        renewedAt: at,
      } satisfies Holder);
      return { takenFrom: holder && !mine(holder, m) ? holder : null, closed };
    })
    .immediate();
  if ('blocking' in outcome) return outcome.blocking;
  if (outcome.takenFrom) opts.onTakeover?.(outcome.takenFrom, outcome.closed);
  return null;
}

/** The process reconciling right now, if any (read only: `outpost status` says "applying now" with it). */
export function liveHolder(db: Db, opts: LockOptions = {}): Holder | null {
  const holder = lockLease.get(db);
  return holder && !gone(holder, me(opts)) ? holder : null;
}

/** Extends our lease; false when it is no longer ours (taken over after we failed to renew in time). */
export function renewLock(db: Db, opts: LockOptions = {}): boolean {
  const m = me(opts);
  return db
    .transaction(() => {
      const holder = lockLease.get(db);
      if (!holder || !mine(holder, m)) return false;
      lockLease.set(db, { ...holder, renewedAt: new Date(m.now()).toISOString() });
      return true;
    })
    .immediate();
}

export function unlock(db: Db, opts: LockOptions = {}): void {
  const m = me(opts);
  db.transaction(() => {
    if (mine(lockLease.get(db), m)) lockLease.clear(db);
  }).immediate();
}

export class LockTimeout extends Error {
  constructor(holder: Holder, waitedMs: number) {
    super(
      `another sync (process ${holder.pid} on ${holder.host}, since ${holder.since}) is still running after ${Math.round(waitedMs / 1000)}s`,
    );
    this.name = 'LockTimeout';
  }
}

/** Runs `fn` holding the lease, renewing it in the background; waits while a live holder renews its own. */
export async function withReconcileLock<T>(db: Db, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const m = me(opts);
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const started = m.now();
  for (let holder = tryLock(db, opts); holder; holder = tryLock(db, opts)) {
    if (m.now() - started > timeoutMs) throw new LockTimeout(holder, m.now() - started);
    await new Promise((r) => setTimeout(r, 200));
  }
  const renewal = setInterval(() => {
    try {
      renewLock(db, opts);
    } catch {
      // A busy or full store: the next renewal tries again; the lease outlasts several misses.
    }
  }, opts.renewMs ?? RENEW_MS);
  renewal.unref();
  try {
    return await fn();
  } finally {
    clearInterval(renewal);
    unlock(db, opts);
  }
}
