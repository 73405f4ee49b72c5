// The data volume under the store: a reserve file released when the volume fills, the "full" state every page
// reads, a store that opens (read-only if it must) on a full volume, and recovery when space returns.
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { type Db, isNoSpace, openDb, openSnapshot, watchNoSpace } from './open.ts';
import { enforceBounds, type StoreBounds, storeBytes, type Trimmed } from './retention.ts';

/**
 * Space set aside at start-up. When the volume fills, Outpost deletes it: the store then has room for what it
 * must still write (sessions, audit entries of staff actions, closing a run) while history is not written.
 * It is made again once the volume has room for it twice over.
 */
export const RESERVE_FILE = 'outpost.reserve';

export interface VolumeState {
  /** The volume had no room for a write (or less than half the reserve left); history is not being written. */
  full: boolean;
  /** Since when (ISO), while full. */
  since: string | null;
  /** The store is a read-only snapshot in memory: the volume was too full to open it for writing. */
  snapshot: boolean;
  /** Bytes free for Outpost on the volume (null when unknown). */
  freeBytes: number | null;
  reserveBytes: number;
}

/** A re-assert of the LKG done without writing (the volume was full): kept in memory only. */
export interface ReadOnlyReassert {
  at: string;
  revision: string | null;
  ok: boolean;
  message: string;
}

/** The store's size against its bound, for the settings page, the support bundle and /metrics. */
export interface StoreUsage {
  bytes: number;
  limitBytes: number | null;
  historyDays: number | null;
}

export interface VolumeOptions {
  reserveBytes: number;
  /** History and size bounds, enforced by housekeep(). */
  bounds?: StoreBounds;
  log: Logger;
  /** Start a node afresh over an existing empty store file (OUTPOST_INIT_EMPTY_DB). */
  initEmpty?: boolean;
  /** For tests: bytes free on the volume. */
  freeBytes?: () => number | null;
}

/** Bytes an unprivileged writer may still use on the file system holding `dir`; null when it cannot be read. */
export function freeBytesAt(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/**
 * Read by a process that does not own the store (`outpost status`): what the server's check would decide —
 * nearly no room left, or the reserve released and not yet room to make it again.
 */
export function volumeStateAt(dataDir: string, reserveBytes: number): VolumeState {
  const freeBytes = freeBytesAt(dataDir);
  const released = reserveBytes > 0 && !existsSync(path.join(dataDir, RESERVE_FILE));
  const full =
    freeBytes !== null &&
    (freeBytes < lowWater(reserveBytes) || (released && freeBytes < highWater(reserveBytes)));
  return { full, since: null, snapshot: false, freeBytes, reserveBytes };
}

/** Below this much free space the volume counts as full before a write has even failed. */
function lowWater(reserveBytes: number): number {
  return Math.max(256 * 1024, Math.floor(reserveBytes / 2));
}

/** The volume has room again when the reserve fits twice over: recovering never fills it straight back up. */
function highWater(reserveBytes: number): number {
  return Math.max(1024 * 1024, 2 * reserveBytes);
}

const volumes = new WeakMap<object, DataVolume>();

/** The volume watcher of a store opened with openStore; null for other stores (tests, the CLI). */
export function volumeOf(db: Db): DataVolume | null {
  return volumes.get(db) ?? null;
}

export class DataVolume {
  readonly dataDir: string;
  /** The store, through a handle that stays valid when a read-only snapshot is swapped for the real file. */
  readonly db: Db;
  #target: Db;
  #bound = new Map<PropertyKey, unknown>();
  #full = false;
  #since: Date | null = null;
  #snapshot = false;
  #recover: (() => void)[] = [];
  readonly #o: VolumeOptions;
  /** The last re-assert done without writing, while full. */
  lastReassert: ReadOnlyReassert | null = null;

  constructor(dataDir: string, o: VolumeOptions) {
    this.dataDir = dataDir;
    this.#o = o;
    mkdirSync(dataDir, { recursive: true });
    // Before opening: a volume that is already full gives its reserve to the store's own files (-wal, -shm).
    const free = this.freeBytes();
    if (free !== null && free < lowWater(o.reserveBytes))
      this.markFull(`only ${free} bytes free at start-up`);
    this.#target = this.#open();
    // Every property read goes to the current store; methods are bound to it (and cached per store).
    this.db = new Proxy({} as Db, {
      get: (_t, key) => {
        const cached = this.#bound.get(key);
        if (cached) return cached;
        const v = Reflect.get(this.#target, key, this.#target);
        if (typeof v !== 'function') return v;
        const bound = (v as (...a: unknown[]) => unknown).bind(this.#target);
        this.#bound.set(key, bound);
        return bound;
      },
    });
    volumes.set(this.db, this);
    if (!this.#full) this.#ensureReserve();
  }

  get full(): boolean {
    return this.#full;
  }

  state(): VolumeState {
    return {
      full: this.#full,
      since: this.#since?.toISOString() ?? null,
      snapshot: this.#snapshot,
      freeBytes: this.freeBytes(),
      reserveBytes: this.#o.reserveBytes,
    };
  }

  freeBytes(): number | null {
    return this.#o.freeBytes ? this.#o.freeBytes() : freeBytesAt(this.dataDir);
  }

  /** Called once the volume has room again and the store is writable (main.ts syncs then). */
  onRecover(fn: () => void): void {
    this.#recover.push(fn);
  }

  /** The volume has no room: release the reserve so the essential writes still fit. Idempotent. */
  markFull(why: string): void {
    if (this.#full) return;
    this.#full = true;
    this.#since = new Date();
    const reserve = path.join(this.dataDir, RESERVE_FILE);
    const released = existsSync(reserve);
    rmSync(reserve, { force: true });
    this.#o.log.error(
      { dataDir: this.dataDir, why, releasedReserve: released ? this.#o.reserveBytes : 0 },
      'data volume full: serving read-only, history is not written until space returns',
    );
  }

  /**
   * The periodic check: a volume nearly out of space counts as full before a write fails; a full one that has
   * room again gets its reserve back, the real store if it ran on a snapshot, and its state cleared.
   * Returns true when it recovered now.
   */
  check(): boolean {
    const free = this.freeBytes();
    if (!this.#full) {
      if (free !== null && free < lowWater(this.#o.reserveBytes)) this.markFull(`only ${free} bytes free`);
      return false;
    }
    if (free === null || free < highWater(this.#o.reserveBytes)) return false;
    if (this.#snapshot) {
      let real: Db;
      try {
        real = openDb(this.dataDir, { initEmpty: this.#o.initEmpty ?? false });
      } catch (err) {
        this.#o.log.warn({ err }, 'data volume has room again but the store still cannot be opened');
        return false;
      }
      this.#swap(real);
      this.#snapshot = false;
    }
    if (!this.#ensureReserve()) return false;
    const since = this.#since;
    this.#full = false;
    this.#since = null;
    this.#o.log.info({ dataDir: this.dataDir, free, fullSince: since }, 'data volume has room again');
    for (const fn of this.#recover) fn();
    return true;
  }

  close(): void {
    this.#target.close();
  }

  usage(): StoreUsage {
    const b = this.#o.bounds;
    return {
      bytes: storeBytes(this.db),
      limitBytes: b?.limitBytes ?? null,
      historyDays: b ? Math.round(b.historyMs / 86_400_000) : null,
    };
  }

  /** Enforces the history bounds (after each run, never throwing); a full volume is left alone until it has room. */
  housekeep(now = new Date()): Trimmed | null {
    if (!this.#o.bounds || this.#full) return null;
    try {
      // Converting an older store to incremental vacuum copies it once: only with room for the copy.
      const free = this.freeBytes();
      const room = free === null || free > 2 * storeBytes(this.db) + this.#o.reserveBytes;
      const t = enforceBounds(this.db, this.#o.bounds, now, room);
      if (t.runs + t.audit + t.samples > 0)
        this.#o.log.info(t, 'dropped old history to keep the store bounded');
      // Revisions are bounded by count (OUTPOST_RETENTION), not by size: say so when they alone overflow.
      if (t.bytes > this.#o.bounds.limitBytes)
        this.#o.log.warn(
          { bytes: t.bytes, limitBytes: this.#o.bounds.limitBytes },
          'the store is over OUTPOST_STORE_LIMIT with its history trimmed: stored revisions take the room (lower OUTPOST_RETENTION)',
        );
      return t;
    } catch (err) {
      // Housekeeping never fails the run it follows: a full volume is marked, anything else logged.
      if (isNoSpace(err)) this.markFull((err as Error).message);
      else this.#o.log.error({ err }, 'could not enforce the store bounds');
      return null;
    }
  }

  #open(): Db {
    let db: Db;
    try {
      db = openDb(this.dataDir, { initEmpty: this.#o.initEmpty ?? false });
    } catch (err) {
      if (!isNoSpace(err)) throw err;
      this.markFull((err as Error).message);
      try {
        // The reserve is gone now: there may be room for the -wal and -shm files.
        db = openDb(this.dataDir, { initEmpty: this.#o.initEmpty ?? false });
      } catch (again) {
        if (!isNoSpace(again)) throw again;
        this.#o.log.error(
          { dataDir: this.dataDir },
          'data volume full and no reserve left: running on a read-only snapshot of the store',
        );
        this.#snapshot = true;
        db = openSnapshot(this.dataDir);
      }
    }
    watchNoSpace(db, (err) => this.markFull((err as Error).message));
    return db;
  }

  #swap(db: Db): void {
    const old = this.#target;
    this.#target = db;
    this.#bound.clear();
    watchNoSpace(db, (err) => this.markFull((err as Error).message));
    old.close();
  }

  /** Writes the reserve file with real blocks (not a sparse file); false when there is no room for it. */
  #ensureReserve(): boolean {
    const bytes = this.#o.reserveBytes;
    const file = path.join(this.dataDir, RESERVE_FILE);
    if (bytes <= 0 || existsSync(file)) return true;
    const chunk = Buffer.alloc(Math.min(bytes, 64 * 1024));
    let fd: number | null = null;
    try {
      fd = openSync(file, 'w');
      for (let left = bytes; left > 0; left -= chunk.length)
        writeSync(fd, chunk, 0, Math.min(left, chunk.length));
      closeSync(fd);
      return true;
    } catch (err) {
      if (fd !== null) closeSync(fd);
      rmSync(file, { force: true });
      if (!isNoSpace(err)) throw err;
      this.markFull('no room for the reserve file');
      return false;
    }
  }
}
