// The reconciler's vocabulary: its dependencies and options, stages, named failure reasons, and the small records
// it keeps in state.
import type { Logger } from 'pino';
import { ClusterError } from '../cluster/client.ts';
import type { ClusterClient } from '../cluster/types.ts';
import type { Db } from '../db/open.ts';
import { RevisionUnreadable } from '../db/revisions.ts';
import type { RenderLimits } from '../render/off-thread.ts';
import type { Source } from '../sources/types.ts';
import type { SyncMetrics } from './metrics.ts';
import type { SyncPolicy } from './policy.ts';
import type { FailureReason, Stage } from './run.ts';
import type { VarsSettings } from './vars.ts';

export { DEFAULT_POLICY, type SyncPolicy } from './policy.ts';
export type { FailureReason, Stage } from './run.ts';
export { APPLY_PATH, DETOURS, STAGES } from './run.ts';
export type { LkgPointer, UpstreamState } from './state-keys.ts';

/** Failures after which the cluster may hold part of a bad revision: those roll back to the LKG. */
const ROLLS_BACK = new Set<FailureReason>(['ApplyFailed', 'PruneFailed', 'HealthFailed']);

/** A stage failed: carries the named reason recorded with the run. */
export class StageFailure extends Error {
  readonly reason: FailureReason;
  constructor(reason: FailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StageFailure';
    this.reason = reason;
  }

  get rollsBack(): boolean {
    return ROLLS_BACK.has(this.reason);
  }
}

export interface ReconcilerDeps {
  db: Db;
  cluster: ClusterClient;
  source: Source;
  sourcePath: string;
  log: Logger;
  policy?: Partial<SyncPolicy>;
  /** Where `${VAR}` values come from; none = render without substitution. */
  vars?: VarsSettings;
  /** The render's deadline (OUTPOST_RENDER_TIMEOUT); absent: the default. */
  render?: RenderLimits;
  metrics?: SyncMetrics;
  /** Called as each stage starts, for live progress on the page. */
  onStage?: (runId: number, stage: Stage) => void;
  /** The upstream's clock (full-fetch interval, contact times); tests move it. */
  now?: () => Date;
}

export interface ReconcileOptions {
  /** Apply this stored revision instead of fetching (manual rollback to any stored revision). */
  target?: number;
  /** Apply the revision even if it is held after a failed rollout (staff retry). */
  retry?: boolean;
  /** Staff confirmed a prune of more than the allowed share of the running objects (`--allow-mass-prune`). */
  allowMassPrune?: boolean;
  /** Only re-assert the LKG from the store, no fetch (the schedule's ticks while the upstream backs off). */
  reassertOnly?: boolean;
}

/** Runs one stage body, turning any error into a StageFailure with the stage's reason. */
export function step<T>(reason: FailureReason, fn: () => T): T {
  try {
    const out = fn();
    if (out instanceof Promise) return out.catch((err: unknown) => Promise.reject(wrap(reason, err))) as T;
    return out;
  } catch (err) {
    throw wrap(reason, err);
  }
}

function wrap(reason: FailureReason, err: unknown): StageFailure {
  if (err instanceof StageFailure) return err;
  return new StageFailure(reasonFor(err, reason), (err as Error).message, { cause: err });
}

/**
 * A cluster that does not answer is its own reason: the revision itself may be fine. That holds under a dry run's
 * ValidationError too — an API server that cannot be reached has not judged the object. A stored revision that
 * cannot be read whole is the store's fault, whatever stage met it.
 */
export function reasonFor(err: unknown, fallback: FailureReason): FailureReason {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof RevisionUnreadable) return 'StoreCorrupt';
    if (e instanceof ClusterError && e.status === 0) return 'ClusterUnreachable';
  }
  return fallback;
}

/**
 * The failure is the cluster's, not the revision's: no answer, throttling, or a server error that outlasted the
 * client's retries. Such a revision is rolled back but never held — the next run tries it again. Only what the
 * revision itself caused (a refusal of the object, bad health, invalid content) holds it.
 */
export function isInfrastructure(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof ClusterError) return e.status === 0 || e.status === 429 || e.status >= 500;
  }
  return false;
}

export function asFailure(err: unknown): StageFailure {
  if (err instanceof StageFailure) {
    // An apply that failed because the API server stopped answering is not the revision's fault.
    const reason = reasonFor(err.cause, err.reason);
    return reason === err.reason ? err : new StageFailure(reason, err.message, { cause: err.cause });
  }
  return new StageFailure(reasonFor(err, 'InternalError'), (err as Error)?.message ?? String(err), {
    cause: err,
  });
}
