// How the reconciler applies, and its defaults: a module of its own (no imports) so the configuration can read the
// defaults without loading the reconciler's vocabulary (the cluster client, the store).

export interface SyncPolicy {
  /** How long a new revision may take to become healthy. */
  healthTimeoutMs: number;
  healthIntervalMs: number;
  /** Take fields other managers own instead of reporting the conflict. */
  forceConflicts: boolean;
  concurrency: number;
  /** Cron allow-windows for new revisions; empty = any time. */
  maintenanceWindows: string[];
  /** IANA time zone the schedule and windows are read in (OUTPOST_TIME_ZONE); the node's own when unset. */
  timeZone?: string;
  /** What a run with an unchanged upstream does about live objects that differ: fix them, or only say so. */
  drift: 'correct' | 'report';
  /** Stored revisions kept besides the LKG, held and pinned ones. */
  retention: number;
  /** A prune deleting more than this share of the running revision's objects needs staff confirmation. */
  maxPruneRatio: number;
  /** Labelled objects outside the running revision are looked for after a commit at most this often. */
  sweepIntervalMs: number;
  /**
   * How often a poll ignores the upstream's "unchanged" (ETag, ref, digest) and downloads in full to compare
   * digests: content changed under an unchanged ETag is picked up within this bound.
   */
  fullFetchIntervalMs: number;
}

export const DEFAULT_POLICY: SyncPolicy = {
  healthTimeoutMs: 300_000,
  healthIntervalMs: 1000,
  forceConflicts: false,
  concurrency: 8,
  maintenanceWindows: [],
  drift: 'correct',
  retention: 20,
  maxPruneRatio: 0.5,
  sweepIntervalMs: 10 * 60_000,
  fullFetchIntervalMs: 24 * 3_600_000,
};
