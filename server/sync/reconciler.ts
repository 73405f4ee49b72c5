// One reconcile, top to bottom: fetch → render → plan → store → apply → prune → health → commit | roll back.
import { previewChanges } from '../apply/diff.ts';
import { planObjects } from '../apply/plan.ts';
import { pruneObjects } from '../apply/prune.ts';
import { applyAll } from '../apply/ssa.ts';
import { waitHealthy } from '../apply/wait.ts';
import type { KubeObject } from '../cluster/types.ts';
import { refOf } from '../cluster/types.ts';
import {
  appliedVersions,
  getRevision,
  markInFlight,
  RevisionNotStored,
  revisionObjects,
  shortDigest,
} from '../db/revisions.ts';
import { finishRun, getRun, markStage, setRunRevision, startRun } from '../db/runs.ts';
import { RunChanges } from './changes.ts';
import { heldRevision, releaseHeld, whyWait } from './holds.ts';
import { revisionIdentity } from './identity.ts';
import { withReconcileLock } from './lock.ts';
import type { Change, RunRecord, Stage, Trigger } from './run.ts';
import { runMessage } from './run-message.ts';
import { lkgRevision } from './state-keys.ts';
import {
  commit,
  reassert,
  reassertOffline,
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
  type ReconcileOptions,
  type ReconcilerDeps,
  StageFailure,
  type SyncPolicy,
  step,
} from './types.ts';
import { fetchUpstream } from './upstream.ts';
import { expectRender, nodeRenderInputs, renderWith } from './vars.ts';

export type {
  FailureReason,
  LkgPointer,
  ReconcileOptions,
  ReconcilerDeps,
  Stage,
  SyncPolicy,
  UpstreamState,
} from './types.ts';
export { DEFAULT_POLICY, STAGES, StageFailure } from './types.ts';

/** What a run is trying to make true: a stored revision and its planned objects. */
interface Desired {
  revisionId: number;
  digest: string;
  objects: KubeObject[];
}

/**
 * How the stages before the apply ended: a revision to apply, or the run ends here — having re-asserted the LKG
 * or reported drift (`ends`), or failing after re-asserting the LKG offline (`fails`).
 */
type Decision =
  | { kind: 'apply'; desired: Desired }
  | { kind: 'ends'; message: string; changes: Change[] }
  | { kind: 'fails'; failure: StageFailure; changes: Change[] };

/** The run being recorded: its id and how a stage is announced. */
interface Run {
  id: number;
  stage: (s: Stage) => void;
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
  const id = startRun(d.db, trigger, actor);
  const run: Run = {
    id,
    stage: (s) => {
      markStage(d.db, id, s);
      d.onStage?.(id, s);
    },
  };
  const started = Date.now();
  d.metrics?.inProgress.set(1);
  const changes = new RunChanges();
  const lkg = lkgRevision.get(d.db);
  try {
    const decision = opts.reassertOnly
      ? await reassertStage(d, run, lkg, policy, null)
      : opts.target !== undefined
        ? await desiredFromStore(d, run, opts.target)
        : await desiredFromUpstream(d, run, lkg, opts, policy);
    if (decision.kind !== 'apply') {
      changes.add(decision.changes);
      if (decision.kind === 'fails') throw decision.failure;
      finishRun(d.db, id, { result: 'succeeded', message: decision.message, changes: changes.list() });
      return done(d, id, started);
    }
    const { desired } = decision;

    // What may be on the cluster from earlier runs (LKG, and every apply a crash cut short) that this revision
    // lacks — read before this run marks itself in flight, which it stays until commit or rollback so a crash now
    // is recoverable too. A prune of most of what runs is refused here, before anything is written.
    const stale = staleBefore(d.db, lkg, desired.objects, policy);
    run.stage('apply');
    markInFlight(d.db, desired.revisionId);
    // Re-asserting the running revision is drift correction: it wins over whoever edited its fields since.
    const reasserting = lkg?.revisionId === desired.revisionId;
    const forceConflicts = policy.forceConflicts || reasserting;
    // The whole set passes a server dry run before anything is written (a conflict, a schema error); objects
    // still in a live version the last commit verified need none (an unchanged resync is a few LISTs).
    const known = lkg ? appliedVersions(d.db, lkg.revisionId) : undefined;
    const plan = await step('ValidationFailed', () =>
      previewChanges(d.cluster, desired.objects, { forceConflicts, concurrency: policy.concurrency, known }),
    );
    const applied = await applyAll(d.cluster, desired.objects, {
      ...policy,
      forceConflicts,
      planned: new Map(plan.map((p) => [p.ref, p.action])),
      verified: new Map(plan.flatMap((p) => (p.version ? [[p.ref, p.version] as const] : []))),
    });
    changes.add(applied.changes);
    if (applied.failed)
      throw new StageFailure('ApplyFailed', applied.failed.message, { cause: applied.failed });

    run.stage('prune');
    changes.add(await step('PruneFailed', () => pruneObjects(d.cluster, stale)));

    run.stage('health');
    const verdict = await step('HealthFailed', () =>
      waitHealthy(d.cluster, desired.objects.map(refOf), {
        timeoutMs: policy.healthTimeoutMs,
        intervalMs: policy.healthIntervalMs,
        concurrency: policy.concurrency,
      }),
    );
    if (!verdict.healthy) throw new StageFailure('HealthFailed', verdict.message);

    run.stage('commit');
    commit(d.db, desired.revisionId, desired.objects, policy.retention, applied.versions);
    if (opts.retry) releaseHeld(d.db);
    changes.add(await sweepOrphans(d, desired.objects.map(refOf), policy));
    const drifted = reasserting ? changes.list().filter((c) => c.action === 'configured').length : 0;
    const rev = shortDigest(desired.digest);
    const message = drifted
      ? runMessage('applied-drift', { rev, n: drifted })
      : runMessage('applied', { rev });
    finishRun(d.db, id, { result: 'succeeded', message, changes: changes.list() });
    d.log.info({ runId: id, revisionId: desired.revisionId, trigger }, 'sync succeeded');
  } catch (err) {
    const failure = asFailure(err);
    const failedId = (getRun(d.db, id) as RunRecord).revisionId;
    // A revision the cluster refused, or that never became healthy, is rolled back to the LKG and held.
    if (failure.rollsBack && failedId !== null && failedId !== lkg?.revisionId) {
      run.stage('rollback');
      const outcome = await rollBack(d, failedId, lkg, failure, policy);
      changes.add(outcome.changes);
      finishRun(d.db, id, { ...outcome, changes: changes.list() });
    } else {
      const { reason, message } = failure;
      finishRun(d.db, id, { result: 'failed', reason, message, changes: changes.list() });
    }
    d.log.error(
      { runId: id, trigger, reason: failure.reason, err: failure.cause ?? failure },
      failure.message,
    );
  }
  return done(d, id, started);
}

function done(d: ReconcilerDeps, runId: number, started: number): RunRecord {
  d.metrics?.inProgress.set(0);
  const run = getRun(d.db, runId) as RunRecord;
  recordMetrics(d, run, started);
  return run;
}

/** The LKG applied again from the store, as a stage of its own; the run ends with it, saying why (or what). */
async function reassertStage(
  d: ReconcilerDeps,
  run: Run,
  lkg: LkgPointer | null,
  policy: SyncPolicy,
  why: string | null,
): Promise<Decision> {
  run.stage('reassert');
  const changes = await step('ApplyFailed', () => reassert(d, lkg, policy));
  const message =
    why ??
    (lkg ? runMessage('reasserted', { rev: shortDigest(lkg.digest) }) : runMessage('reasserted-empty'));
  return { kind: 'ends', message, changes };
}

/** Manual rollback: a revision already in the store, applied with no network. */
async function desiredFromStore(d: ReconcilerDeps, run: Run, id: number): Promise<Decision> {
  run.stage('plan');
  const desired = await step('ValidationFailed', async () => {
    const rev = getRevision(d.db, id);
    if (!rev) throw new StageFailure('ValidationFailed', `revision ${id} is not stored on this node`);
    setRunRevision(d.db, run.id, id);
    const objects = await planObjects(revisionObjects(d.db, id), d.cluster);
    return { revisionId: id, digest: rev.digest, objects };
  });
  return { kind: 'apply', desired };
}

/**
 * fetch → render → plan → store. The revision is identified by its tree and its render inputs together; the run
 * ends early when the fetch failed (the LKG is re-asserted offline), when that identity is held after a failed
 * rollout or must wait (staff hold, maintenance window; the LKG is re-asserted instead), or when it is the
 * running revision and drift is only to be reported.
 */
async function desiredFromUpstream(
  d: ReconcilerDeps,
  run: Run,
  lkg: LkgPointer | null,
  opts: ReconcileOptions,
  policy: SyncPolicy,
): Promise<Decision> {
  run.stage('fetch');
  // Every run renders unless it only reports drift on an unchanged revision (or the fetch fails).
  if (!lkg || policy.drift !== 'report') expectRender(d);
  const fetched = await fetchUpstream(d, lkg);
  if (!fetched.ok) {
    run.stage('reassert');
    return { kind: 'fails', ...(await reassertOffline(d, lkg, fetched.failure)) };
  }
  const upstream = fetched.upstream;

  run.stage('render');
  const inputs = await step('RenderFailed', () => nodeRenderInputs(d));
  const identity = revisionIdentity(upstream.digest, inputs.digest);
  const held = heldRevision(d.db);
  // A hold recorded before identity covered the render inputs (migration 009) names the tree alone.
  const isHeld = held !== null && (held.digest === identity || held.digest === upstream.digest);
  if (held && !isHeld) releaseHeld(d.db);
  const isNew = identity !== lkg?.digest;
  const wait = isNew ? whyWait(d.db, policy.maintenanceWindows, new Date(), policy.timeZone) : null;
  if (lkg && isNew && isHeld && !opts.retry)
    return reassertStage(
      d,
      run,
      lkg,
      policy,
      runMessage('held', { rev: shortDigest(identity), error: held.message }),
    );
  if (lkg && isNew && wait) return reassertStage(d, run, lkg, policy, wait);
  if (lkg && !isNew && policy.drift === 'report') {
    run.stage('plan');
    const drift = await step('ApplyFailed', () => reportDrift(d, lkg, policy));
    const message = drift.length ? runMessage('drift-reported', { n: drift.length }) : runMessage('no-drift');
    return { kind: 'ends', message, changes: drift };
  }
  const rendered = await step('RenderFailed', () => renderWith(d, upstream.files, inputs));

  run.stage('plan');
  const planned = await step('ValidationFailed', () => planObjects(rendered, d.cluster));

  run.stage('store');
  const revisionId = step('StoreFailed', () => storeFetched(d, run.id, upstream, inputs, identity, planned));
  return { kind: 'apply', desired: { revisionId, digest: identity, objects: planned } };
}
