// The sync service's keys of the `state` table, one typed accessor each: every module that reads or writes one
// of these facts goes through its cell here (the lock lease, the sweep time and the report state are private to
// lock.ts, sweep.ts and report/collector.ts).
import type { StoreCheck } from '../db/open.ts';
import { stateCell } from '../db/state.ts';
import type { FailureReason } from './run.ts';

/** Whether the upstream answered, and how: the fetch stage's record. */
export interface UpstreamState {
  /** The network reached the upstream (false: no connection, DNS, timeout). */
  reachable: boolean;
  /** It answered, but not with usable content (an HTTP error, an HTML page, a truncated or malformed bundle). */
  broken?: boolean;
  brokenSince?: string | null;
  /** The last time a poll downloaded the whole content rather than trusting "unchanged". */
  lastFullFetch?: string | null;
  lastContact: string | null;
  /** When the upstream last published something different from what the node ran. */
  lastChange: string | null;
  unreachableSince: string | null;
  consecutiveFailures: number;
  lastError: string | null;
}

/** The last-known-good: the revision a commit vouched for. */
export interface LkgPointer {
  revisionId: number;
  digest: string;
  at: string;
}

/** A revision rolled back from: not applied again until the upstream publishes something else or staff retry. */
export interface HeldRevision {
  digest: string;
  revisionId: number | null;
  /** Short digests, for "rolled back from X to Y because …". */
  from: string;
  to: string | null;
  reason: FailureReason;
  message: string;
  at: string;
}

/** Staff paused new revisions until a time. */
export interface StaffHold {
  until: string;
  reason: string;
  by: string;
  at: string;
}

/** What the last full fetch returned, so an "unchanged" answer can be served from the store. */
export interface PollRecord {
  token?: string;
  digest: string;
  /** When the content was last downloaded whole (ISO time); absent in stores written before it was kept. */
  fullAt?: string;
}

/** The last-known-good pointer: written by a commit only. */
export const lkgRevision = stateCell<LkgPointer>('lkg_revision');
/** Whether the upstream answered, and when: written by the fetch stage. */
export const upstreamState = stateCell<UpstreamState>('upstream');
/** The source's conditional-fetch token and the digest it stands for: the fetch stage's. */
export const pollRecord = stateCell<PollRecord>('poll');
/** Anti-rollback: the highest signed bundle version verified. */
export const highestVersion = stateCell<number>('highest_version');
/** The start-up integrity check of the store. */
export const storeCheckResult = stateCell<StoreCheck>('store_check');
/** Read through holds.ts, which knows what a hold means. */
export const heldCell = stateCell<HeldRevision>('held');
export const staffHoldCell = stateCell<StaffHold>('staff_hold');
