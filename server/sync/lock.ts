// One reconcile at a time across processes (the server and `outpost sync --once` share the store):
// a lock row in SQLite naming the holder's pid; a holder that died (kill -9) no longer counts.
import { hostname } from 'node:os';
import type { Db } from '../db/open.ts';
import { clearState, getState, setState } from '../db/state.ts';

interface Holder {
  pid: number;
  host: string;
  since: string;
}

function alive(h: Holder): boolean {
  if (h.host !== hostname()) return true;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock if it is free (or its holder is gone); returns the holder otherwise. */
export function tryLock(db: Db): Holder | null {
  return db
    .transaction(() => {
      const holder = getState<Holder>(db, 'reconcile_lock');
      if (holder && holder.pid !== process.pid && alive(holder)) return holder;
      setState(db, 'reconcile_lock', { pid: process.pid, host: hostname(), since: new Date().toISOString() });
      return null;
    })
    .immediate();
}

export function unlock(db: Db): void {
  db.transaction(() => {
    if (getState<Holder>(db, 'reconcile_lock')?.pid === process.pid) clearState(db, 'reconcile_lock');
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

export async function withReconcileLock<T>(db: Db, fn: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  const started = Date.now();
  for (let holder = tryLock(db); holder; holder = tryLock(db)) {
    if (Date.now() - started > timeoutMs) throw new LockTimeout(holder, Date.now() - started);
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    return await fn();
  } finally {
    unlock(db);
  }
}
