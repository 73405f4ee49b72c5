// The node's sync status as one plain object: read from SQLite only, so the CLI and the page agree.
import type { Db } from '../db/open.ts';
import { storeBytes } from '../db/retention.ts';
import { getRevision, shortDigest } from '../db/revisions.ts';
import { lastFinishedRun } from '../db/runs.ts';
import { type ReadOnlyReassert, type StoreUsage, volumeOf } from '../db/space.ts';
import { heldRevision, staffHold } from './holds.ts';
import { type RevisionTitle, revisionTitle } from './revision-title.ts';
import type { RunRecord } from './run.ts';
import {
  type HeldRevision,
  type LkgPointer,
  lkgRevision,
  type StaffHold,
  storeCheckResult,
  upstreamState,
} from './state-keys.ts';

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
    /** What people recognise it by (commit subject and author, upload name, signed version); readStatus sets it. */
    title?: RevisionTitle | null;
  } | null;
  attempted: {
    revision: string | null;
    title?: RevisionTitle | null;
    result: 'succeeded' | 'failed' | 'rolled-back';
    reason: string | null;
    message: string | null;
    at: string;
    runId: number;
  } | null;
  upstream: {
    reachable: boolean | null;
    /** It answers, but not with usable content: "upstream broken", not "unreachable". */
    broken: boolean;
    brokenSince: string | null;
    /** The last poll that downloaded the whole content and compared its digest (not trusting an ETag). */
    lastFullFetch: string | null;
    lastContact: string | null;
    lastChange: string | null;
    unreachableSince: string | null;
    consecutiveFailures: number;
    lastError: string | null;
  };
  /** The revision rolled back from and held: "rolled back from X to Y because …". */
  held: (HeldRevision & { title?: RevisionTitle | null }) | null;
  /** Staff paused new revisions until a time. */
  hold: StaffHold | null;
  /** Whether the store can be trusted, and its volume: both are the node's state when they fail. */
  store: StoreHealth & StoreStatus;
}

/** A damaged store stops syncs (StoreCorrupt) and must be said loudly. */
export interface StoreHealth {
  ok: boolean;
  /** What is damaged, for an engineer: the start-up check's finding, or the revision that cannot be read. */
  problem: string | null;
  /** When the start-up integrity check last ran (null: not since this version). */
  checkedAt: string | null;
}

/** The store's volume: "data volume full" is the node's state while `full`. */
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
    broken: false,
    brokenSince: null,
    lastFullFetch: null,
    lastContact: null,
    lastChange: null,
    unreachableSince: null,
    consecutiveFailures: 0,
    lastError: null,
  },
  held: null,
  hold: null,
  store: {
    ok: true,
    problem: null,
    checkedAt: null,
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
  if (!volume) {
    const { full, since, snapshot, reassert, limitBytes, historyDays } = EMPTY_STATUS.store;
    return { full, since, snapshot, reassert, limitBytes, historyDays, bytes: storeBytes(db) };
  }
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
  const lkg = lkgRevision.get(db);
  const lkgRev = lkg ? getRevision(db, lkg.revisionId) : null;
  const run: RunRecord | null = lastFinishedRun(db);
  const attemptedRev = run?.revisionId ? getRevision(db, run.revisionId) : null;
  const upstream = upstreamState.get(db);
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
            title: revisionTitle(lkgRev),
          }
        : null,
    attempted: run
      ? {
          revision: attemptedRev ? shortDigest(attemptedRev.digest) : null,
          title: attemptedRev ? revisionTitle(attemptedRev) : null,
          result: run.result as 'succeeded' | 'failed' | 'rolled-back',
          reason: run.reason,
          message: run.message,
          at: run.finishedAt ?? run.startedAt,
          runId: run.id,
        }
      : null,
    upstream: {
      reachable: upstream ? upstream.reachable : null,
      broken: upstream?.broken ?? false,
      brokenSince: upstream?.brokenSince ?? null,
      lastFullFetch: upstream?.lastFullFetch ?? null,
      lastContact: upstream?.lastContact ?? null,
      lastChange: upstream?.lastChange ?? null,
      unreachableSince: upstream?.unreachableSince ?? null,
      consecutiveFailures: upstream?.consecutiveFailures ?? 0,
      lastError: upstream?.lastError ?? null,
    },
    held: heldWithTitle(db),
    hold: staffHold(db),
    store: { ...storeHealth(db, lkg, lkgRev !== null, run), ...storeStatus(db) },
  };
}

/** The held revision, named as the revisions page names it (its row may be gone: then by digest only). */
function heldWithTitle(db: Db): SyncStatus['held'] {
  const held = heldRevision(db);
  if (!held) return null;
  const rev = held.revisionId === null ? null : getRevision(db, held.revisionId);
  return { ...held, title: rev && rev.digest === held.digest ? revisionTitle(rev) : null };
}

function storeHealth(db: Db, lkg: LkgPointer | null, lkgStored: boolean, run: RunRecord | null): StoreHealth {
  const check = storeCheckResult.get(db);
  let problem: string | null = null;
  if (check && !check.ok) problem = `integrity check at start-up: ${check.problems.join('; ')}`;
  else if (lkg && !lkgStored)
    problem = `the running revision ${shortDigest(lkg.digest)} (id ${lkg.revisionId}) is missing from the local store`;
  else if (run?.reason === 'StoreCorrupt') problem = run.message;
  return { ok: problem === null, problem, checkedAt: check?.at ?? null };
}
