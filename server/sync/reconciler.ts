// One reconcile, top to bottom: fetch → render → plan → store → apply → prune → health → commit | roll back.
import type { Logger } from 'pino';
import { previewChanges } from '../apply/diff.ts';
import { planObjects } from '../apply/plan.ts';
import { pruneObjects } from '../apply/prune.ts';
import { applyAll } from '../apply/ssa.ts';
import { waitHealthy } from '../apply/wait.ts';
import type { ClusterClient, KubeObject } from '../cluster/types.ts';
import { refOf } from '../cluster/types.ts';
import type { Db } from '../db/open.ts';
import {
  getRevision,
  markInFlight,
  RevisionNotStored,
  revisionObjects,
  shortDigest,
} from '../db/revisions.ts';
import {
  type Change,
  finishRun,
  getRun,
  markStage,
  type RunRecord,
  setRunRevision,
  startRun,
  type Trigger,
} from '../db/runs.ts';
import { getState } from '../db/state.ts';
import type { RenderLimits } from '../render/off-thread.ts';
import type { Source } from '../sources/types.ts';
import { heldRevision, releaseHeld, whyWait } from './holds.ts';
import { withReconcileLock } from './lock.ts';
import type { SyncMetrics } from './metrics.ts';
import {
  commit,
  reassert,
  recordMetrics,
  reportDrift,
  rollBack,
  staleBefore,
  storeFetched,
} from './steps.ts';
import { sweepOrphans } from './sweep.ts';
import {
  asFailure,
  DEFAULT_POLICY,
  type LkgPointer,
  type Stage,
  StageFailure,
  type SyncPolicy,
  step,
} from './types.ts';
import { fetchUpstream } from './upstream.ts';
import { renderForNode, type VarsSettings } from './vars.ts';

export type { FailureReason, LkgPointer, Stage, SyncPolicy, UpstreamState } from './types.ts';
export { DEFAULT_POLICY, STAGES, StageFailure } from './types.ts';

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

/** What a run is trying to make true: a stored revision and its planned objects. */
interface Desired {
  revisionId: number;
  digest: string;
  objects: KubeObject[];
}

/** One reconcile; waits while another process (the server, a CLI) is reconciling the same store. */
export function reconcile(
  d: ReconcilerDeps,
  trigger: Trigger,
  actor: string | null = null,
  opts: ReconcileOptions = {},
): Promise<RunRecord> {
  return withReconcileLock(d.db, () => reconcileLocked(d, trigger, actor, opts), {
    onTakeover: (holder, closed) =>
      d.log.warn({ holder, closed }, 'took over the reconcile lease of a holder that stopped renewing it'),
  });
}

async function reconcileLocked(
  d: ReconcilerDeps,
  trigger: Trigger,
  actor: string | null,
  opts: ReconcileOptions,
): Promise<RunRecord> {
  const policy = { ...DEFAULT_POLICY, ...d.policy, ...(opts.allowMassPrune ? { maxPruneRatio: 1 } : {}) };
  // A rollback to a revision that is not stored is a mistake, not a sync: no run is recorded, no state changes.
  if (opts.target !== undefined && !getRevision(d.db, opts.target)) throw new RevisionNotStored(opts.target);
  const runId = startRun(d.db, trigger, actor);
  const started = Date.now();
  d.metrics?.inProgress.set(1);
  const changes: Change[] = [];
  const stage = (s: Stage) => {
    markStage(d.db, runId, s);
    d.onStage?.(runId, s);
  };
  const finish = (message: string) => finishRun(d.db, runId, { result: 'succeeded', message, changes });
  const lkg = getState<LkgPointer>(d.db, 'lkg_revision');
  try {
    if (opts.reassertOnly) {
      stage('apply');
      changes.push(...(await step('ApplyFailed', () => reassert(d, lkg, policy))));
      finish(
        `re-asserted ${lkg ? `revision ${shortDigest(lkg.digest)}` : 'the empty state'} from the local store`,
      );
      return done(d, runId, started);
    }
    const desired =
      opts.target !== undefined
        ? await desiredFromStore(d, runId, opts.target, stage)
        : await desiredFromUpstream(d, { runId, lkg, opts, policy, changes, stage, finish });
    // Nothing new to apply: held, waiting for a window, or drift only reported. The run is finished.
    if (!desired) return done(d, runId, started);

    // What may be on the cluster from earlier runs (LKG, and every apply a crash cut short) that this revision
    // lacks — read before this run marks itself in flight, which it stays until commit or rollback so a crash now
    // is recoverable too. A prune of most of what runs is refused here, before anything is written.
    const stale = staleBefore(d.db, lkg, desired.objects, policy);
    stage('apply');
    markInFlight(d.db, desired.revisionId);
    // Re-asserting the running revision is drift correction: it wins over whoever edited its fields since.
    const reasserting = lkg?.revisionId === desired.revisionId;
    const forceConflicts = policy.forceConflicts || reasserting;
    // The whole set passes a server dry run before anything is written (a conflict, a schema error).
    const plan = await step('ValidationFailed', () =>
      previewChanges(d.cluster, desired.objects, { forceConflicts, concurrency: policy.concurrency }),
    );
    const applied = await applyAll(d.cluster, desired.objects, {
      ...policy,
      forceConflicts,
      planned: new Map(plan.map((p) => [p.ref, p.action])),
    });
    changes.push(...applied.changes);
    if (applied.failed)
      throw new StageFailure('ApplyFailed', applied.failed.message, { cause: applied.failed });

    stage('prune');
    changes.push(...(await step('PruneFailed', () => pruneObjects(d.cluster, stale))));

    stage('health');
    const verdict = await step('HealthFailed', () =>
      waitHealthy(d.cluster, desired.objects.map(refOf), {
        timeoutMs: policy.healthTimeoutMs,
        intervalMs: policy.healthIntervalMs,
        concurrency: policy.concurrency,
      }),
    );
    if (!verdict.healthy) throw new StageFailure('HealthFailed', verdict.message);

    stage('commit');
    commit(d.db, desired.revisionId, desired.objects, policy.retention);
    if (opts.retry) releaseHeld(d.db);
    changes.push(...(await sweepOrphans(d, desired.objects.map(refOf), policy)));
    const drifted = reasserting ? changes.filter((c) => c.action === 'configured').length : 0;
    finish(
      `revision ${shortDigest(desired.digest)} applied and healthy${drifted ? `; corrected drift on ${drifted} object(s)` : ''}`,
    );
    d.log.info({ runId, revisionId: desired.revisionId, trigger }, 'sync succeeded');
  } catch (err) {
    const failure = asFailure(err);
    const run = getRun(d.db, runId) as RunRecord;
    const failedId = run.revisionId;
    // A revision the cluster refused, or that never became healthy, is rolled back to the LKG and held.
    if (failure.rollsBack && failedId !== null && failedId !== lkg?.revisionId) {
      stage('rollback');
      await rollBack(d, runId, failedId, lkg, failure, changes, policy);
    } else {
      finishRun(d.db, runId, { result: 'failed', reason: failure.reason, message: failure.message, changes });
    }
    d.log.error({ runId, trigger, reason: failure.reason, err: failure.cause ?? failure }, failure.message);
  }
  return done(d, runId, started);
}

function done(d: ReconcilerDeps, runId: number, started: number): RunRecord {
  d.metrics?.inProgress.set(0);
  const run = getRun(d.db, runId) as RunRecord;
  recordMetrics(d, run, started);
  return run;
}

/** Manual rollback: a revision already in the store, applied with no network. */
async function desiredFromStore(
  d: ReconcilerDeps,
  runId: number,
  id: number,
  stage: (s: Stage) => void,
): Promise<Desired> {
  stage('plan');
  return step('ValidationFailed', async () => {
    const rev = getRevision(d.db, id);
    if (!rev) throw new StageFailure('ValidationFailed', `revision ${id} is not stored on this node`);
    setRunRevision(d.db, runId, id);
    const objects = await planObjects(revisionObjects(d.db, id), d.cluster);
    return { revisionId: id, digest: rev.digest, objects };
  });
}

interface RunContext {
  runId: number;
  lkg: LkgPointer | null;
  opts: ReconcileOptions;
  policy: SyncPolicy;
  changes: Change[];
  stage: (s: Stage) => void;
  finish: (message: string) => void;
}

/**
 * fetch → render → plan → store. Returns null when the run ends here: the revision is held after a failed
 * rollout or must wait (staff hold, maintenance window) — the LKG is re-asserted instead — or the upstream is
 * unchanged and drift is only to be reported.
 */
async function desiredFromUpstream(d: ReconcilerDeps, c: RunContext): Promise<Desired | null> {
  const { lkg, policy, changes, stage } = c;
  stage('fetch');
  const fetched = await fetchUpstream(d, lkg, changes);
  const digest = fetched.digest;
  const held = heldRevision(d.db);
  if (held && held.digest !== digest) releaseHeld(d.db);
  const isNew = digest !== lkg?.digest;
  const wait = isNew ? whyWait(d.db, policy.maintenanceWindows, new Date(), policy.timeZone) : null;
  if (lkg && isNew && ((held?.digest === digest && !c.opts.retry) || wait)) {
    stage('apply');
    changes.push(...(await step('ApplyFailed', () => reassert(d, lkg, policy))));
    c.finish(wait ?? `revision ${shortDigest(digest)} is held: ${held?.message}`);
    return null;
  }
  if (lkg && !isNew && policy.drift === 'report') {
    stage('plan');
    const drift = await step('ApplyFailed', () => reportDrift(d, lkg, policy));
    changes.push(...drift);
    c.finish(drift.length ? `drift on ${drift.length} object(s) reported, not corrected` : 'no drift');
    return null;
  }
  stage('render');
  const rendered = await step('RenderFailed', () => renderForNode(d, fetched.files));
  stage('plan');
  const planned = await step('ValidationFailed', () => planObjects(rendered, d.cluster));
  stage('store');
  const revisionId = step('StoreFailed', () => storeFetched(d, c.runId, fetched, planned));
  return { revisionId, digest, objects: planned };
}
