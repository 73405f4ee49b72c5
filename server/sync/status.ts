// The node's sync status as one plain object: read from SQLite only, so the CLI and the page agree.
import type { Db } from '../db/open.ts';
import { storeBytes } from '../db/retention.ts';
import { getRevision, shortDigest } from '../db/revisions.ts';
import { lastFinishedRun, type RunRecord } from '../db/runs.ts';
import { type ReadOnlyReassert, type StoreUsage, volumeOf } from '../db/space.ts';
import { getState } from '../db/state.ts';
import { type HeldRevision, heldRevision, type StaffHold, staffHold } from './holds.ts';
import type { LkgPointer, UpstreamState } from './reconciler.ts';

export interface SyncStatus {
  applied: {
    revision: string;
    digest: string;
    at: string;
    version: string | null;
    /** minisign key id that signed the bundle; null for git, a folder, or an unsigned bundle. */
    signer: string | null;
    source: string;
    objects: number;
  } | null;
  attempted: {
    revision: string | null;
    result: 'succeeded' | 'failed' | 'rolled-back';
    reason: string | null;
    message: string | null;
    at: string;
    runId: number;
  } | null;
  upstream: {
    reachable: boolean | null;
    lastContact: string | null;
    lastChange: string | null;
    unreachableSince: string | null;
    consecutiveFailures: number;
    lastError: string | null;
  };
  /** The revision rolled back from and held: "rolled back from X to Y because …". */
  held: HeldRevision | null;
  /** Staff paused new revisions until a time. */
  hold: StaffHold | null;
  /** The store and its volume: "data volume full" is the node's state while `full`. */
  store: StoreStatus;
}

export interface StoreStatus extends StoreUsage {
  full: boolean;
  since: string | null;
  /** Running on a read-only snapshot of the store (the volume was too full to open it). */
  snapshot: boolean;
  /** The last re-assert of the LKG done without writing, while full. */
  reassert: ReadOnlyReassert | null;
}

/** What a node that never synced reports (also when it has no store yet). */
export const EMPTY_STATUS: SyncStatus = {
  applied: null,
  attempted: null,
  upstream: {
    reachable: null,
    lastContact: null,
    lastChange: null,
    unreachableSince: null,
    consecutiveFailures: 0,
    lastError: null,
  },
  held: null,
  hold: null,
  store: {
    full: false,
    since: null,
    snapshot: false,
    reassert: null,
    bytes: 0,
    limitBytes: null,
    historyDays: null,
  },
};

/** The store's state from its volume watcher (the server); a store opened without one reports sizes only. */
export function storeStatus(db: Db): StoreStatus {
  const volume = volumeOf(db);
  if (!volume) return { ...EMPTY_STATUS.store, bytes: storeBytes(db) };
  const v = volume.state();
  return {
    full: v.full,
    since: v.since,
    snapshot: v.snapshot,
    reassert: volume.lastReassert,
    ...volume.usage(),
  };
}

export function readStatus(db: Db): SyncStatus {
  const lkg = getState<LkgPointer>(db, 'lkg_revision');
  const lkgRev = lkg ? getRevision(db, lkg.revisionId) : null;
  const run: RunRecord | null = lastFinishedRun(db);
  const attemptedRev = run?.revisionId ? getRevision(db, run.revisionId) : null;
  const upstream = getState<UpstreamState>(db, 'upstream');
  return {
    applied:
      lkg && lkgRev
        ? {
            revision: shortDigest(lkg.digest),
            digest: lkg.digest,
            at: lkg.at,
            version: lkgRev.version,
            signer: lkgRev.signer,
            source: lkgRev.sourceKind,
            objects: lkgRev.objectCount,
          }
        : null,
    attempted: run
      ? {
          revision: attemptedRev ? shortDigest(attemptedRev.digest) : null,
          result: run.result as 'succeeded' | 'failed' | 'rolled-back',
          reason: run.reason,
          message: run.message,
          at: run.finishedAt ?? run.startedAt,
          runId: run.id,
        }
      : null,
    upstream: {
      reachable: upstream ? upstream.reachable : null,
      lastContact: upstream?.lastContact ?? null,
      lastChange: upstream?.lastChange ?? null,
      unreachableSince: upstream?.unreachableSince ?? null,
      consecutiveFailures: upstream?.consecutiveFailures ?? 0,
      lastError: upstream?.lastError ?? null,
    },
    held: heldRevision(db),
    hold: staffHold(db),
    store: storeStatus(db),
  };
}
