// A sync run's vocabulary: what started it and who, the stages it went through, how it ended and why. The store
// (db/runs.ts) keeps these words; it does not define them.
import type { Change } from '../apply/changes.ts';

export type { Change, ChangeAction } from '../apply/changes.ts';
export { CHANGE_ACTIONS } from '../apply/changes.ts';

/**
 * What started a run: the schedule, staff on the console (Sync now, Retry, Roll back, an upload), the `outpost`
 * command line, or the process starting.
 */
export const TRIGGERS = ['schedule', 'sync-now', 'retry', 'rollback', 'upload', 'cli', 'startup'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** A trigger and who pulled it: the staff user's name, `cli:<user>` for the command line, null for the node. */
export interface Triggered {
  trigger: Trigger;
  actor: string | null;
}

/** The stages of a run that applies a revision, in order. */
export const APPLY_PATH = ['fetch', 'render', 'plan', 'store', 'apply', 'prune', 'health', 'commit'] as const;
/** Stages a run takes instead of the rest of that path: re-assert the LKG from the store, or roll back to it. */
export const DETOURS = ['reassert', 'rollback'] as const;
export const STAGES = [...APPLY_PATH, ...DETOURS] as const;
export type Stage = (typeof STAGES)[number];

export const FAILURE_REASONS = [
  'FetchFailed',
  'VerifyFailed',
  'RenderFailed',
  'ValidationFailed',
  'StoreFailed',
  'ApplyFailed',
  'PruneFailed',
  'HealthFailed',
  'RollbackFailed',
  'StoreCorrupt',
  'MassPruneRefused',
  'ClusterUnreachable',
  'Interrupted',
  'InternalError',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const RUN_RESULTS = ['running', 'succeeded', 'failed', 'rolled-back'] as const;
export type RunResult = (typeof RUN_RESULTS)[number];

export interface StageMark {
  stage: Stage;
  at: string;
}

/** How a run ended: its result, the named reason when it failed or rolled back, and its changes. */
export interface RunOutcome {
  result: Exclude<RunResult, 'running'>;
  reason?: FailureReason | undefined;
  message?: string | undefined;
  changes: Change[];
}

export interface RunRecord {
  id: number;
  trigger: Trigger;
  actor: string | null;
  startedAt: string;
  finishedAt: string | null;
  revisionId: number | null;
  result: RunResult;
  reason: FailureReason | null;
  message: string | null;
  stages: StageMark[];
  /** Changes other than `unchanged` (objects already as wanted are only counted, in `unchanged`). */
  changes: Change[];
  durationMs: number | null;
  unchanged: number;
  /** Identical unchanged scheduled runs folded into this row ("no change since firstAt"). */
  repeats: number;
  /** Start of the first of the folded runs; null for a single run. */
  firstAt: string | null;
}
