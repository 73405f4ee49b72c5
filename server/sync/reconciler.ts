// One reconcile, top to bottom: fetch → render → plan → store → apply → prune → commit → record.
import type { Logger } from 'pino';
import { ValidationError } from '../apply/errors.ts';
import { planObjects } from '../apply/plan.ts';
import { inventoryDiff, pruneObjects } from '../apply/prune.ts';
import { applyAll } from '../apply/ssa.ts';
import { ClusterError } from '../cluster/client.ts';
import type { ClusterClient, KubeObject } from '../cluster/types.ts';
import { refOf } from '../cluster/types.ts';
import type { Db } from '../db/open.ts';
import { getRevision, inventory, markRevision, saveInventory, storeRevision } from '../db/revisions.ts';
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
import { getState, setState } from '../db/state.ts';
import { render } from '../render/index.ts';
import { treeDigest } from '../sources/digest.ts';
import type { Fetched, Source } from '../sources/types.ts';
import type { SyncMetrics } from './metrics.ts';

export type FailureReason =
  | 'FetchFailed'
  | 'RenderFailed'
  | 'ValidationFailed'
  | 'StoreFailed'
  | 'ApplyFailed'
  | 'PruneFailed'
  | 'ClusterUnreachable'
  | 'Interrupted'
  | 'InternalError';

export const STAGES = ['fetch', 'render', 'plan', 'store', 'apply', 'prune', 'commit'] as const;
export type Stage = (typeof STAGES)[number];

/** A stage failed: carries the named reason recorded with the run. */
export class StageFailure extends Error {
  readonly reason: FailureReason;
  constructor(reason: FailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StageFailure';
    this.reason = reason;
  }
}

export interface UpstreamState {
  reachable: boolean;
  lastContact: string | null;
  unreachableSince: string | null;
  lastError: string | null;
}

export interface LkgPointer {
  revisionId: number;
  digest: string;
  at: string;
}

export interface ReconcilerDeps {
  db: Db;
  cluster: ClusterClient;
  source: Source;
  sourcePath: string;
  log: Logger;
  metrics?: SyncMetrics;
  /** Called as each stage starts, for live progress on the page. */
  onStage?: (runId: number, stage: Stage) => void;
}

export async function reconcile(
  d: ReconcilerDeps,
  trigger: Trigger,
  actor: string | null = null,
): Promise<RunRecord> {
  const runId = startRun(d.db, trigger, actor);
  const started = Date.now();
  d.metrics?.inProgress.set(1);
  const changes: Change[] = [];
  const stage = (s: Stage) => {
    markStage(d.db, runId, s);
    d.onStage?.(runId, s);
  };
  let revisionId: number | null = null;
  try {
    stage('fetch');
    const fetched = await fetchUpstream(d);

    stage('render');
    const rendered = await step('RenderFailed', () => render(fetched.files, d.sourcePath));

    stage('plan');
    const planned = await step('ValidationFailed', () => planObjects(rendered, d.cluster));

    stage('store');
    revisionId = step('StoreFailed', () => storeFetched(d, fetched, planned));
    setRunRevision(d.db, runId, revisionId);

    stage('apply');
    const applied = await applyAll(d.cluster, planned);
    changes.push(...applied.changes);
    if (applied.failed)
      throw new StageFailure(reasonFor(applied.failed, 'ApplyFailed'), applied.failed.message);

    stage('prune');
    const lkg = getState<LkgPointer>(d.db, 'lkg_revision');
    const stale = lkg ? inventoryDiff(inventory(d.db, lkg.revisionId), planned.map(refOf)) : [];
    changes.push(...(await step('PruneFailed', () => pruneObjects(d.cluster, stale))));

    stage('commit');
    commit(d.db, revisionId, planned);
    finishRun(d.db, runId, { result: 'succeeded', changes });
    d.log.info({ runId, revisionId, trigger, changes: summarize(changes) }, 'sync succeeded');
  } catch (err) {
    const failure = asFailure(err);
    // A revision the cluster refused is marked failed; one we never reached the cluster with is not its fault.
    if (revisionId !== null && (failure.reason === 'ApplyFailed' || failure.reason === 'PruneFailed')) {
      markRevision(d.db, revisionId, 'failed', failure.message);
    }
    finishRun(d.db, runId, { result: 'failed', reason: failure.reason, message: failure.message, changes });
    d.log.error(
      { runId, revisionId, trigger, reason: failure.reason, err: failure.cause ?? failure },
      failure.message,
    );
  } finally {
    d.metrics?.inProgress.set(0);
  }
  const run = getRun(d.db, runId) as RunRecord;
  recordMetrics(d, run, started);
  return run;
}

/** Runs one stage body, turning any error into a StageFailure with the stage's reason. */
function step<T>(reason: FailureReason, fn: () => T): T {
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

/** A cluster that does not answer is its own reason: the revision itself may be fine. */
function reasonFor(err: unknown, fallback: FailureReason): FailureReason {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof ValidationError) break;
    if (e instanceof ClusterError && e.status === 0) return 'ClusterUnreachable';
  }
  return fallback;
}

function asFailure(err: unknown): StageFailure {
  if (err instanceof StageFailure) return err;
  return new StageFailure('InternalError', (err as Error)?.message ?? String(err), { cause: err });
}

async function fetchUpstream(d: ReconcilerDeps): Promise<Fetched> {
  const prev = getState<UpstreamState>(d.db, 'upstream');
  const now = new Date().toISOString();
  try {
    const fetched = await d.source.fetch();
    setState(d.db, 'upstream', {
      reachable: true,
      lastContact: now,
      unreachableSince: null,
      lastError: null,
    });
    return fetched;
  } catch (err) {
    const unreachableSince = prev && !prev.reachable ? prev.unreachableSince : now;
    setState(d.db, 'upstream', {
      reachable: false,
      lastContact: prev?.lastContact ?? null,
      unreachableSince,
      lastError: (err as Error).message,
    } satisfies UpstreamState);
    throw new StageFailure(
      'FetchFailed',
      `${d.source.kind} source ${d.source.url}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

function storeFetched(d: ReconcilerDeps, fetched: Fetched, objects: KubeObject[]): number {
  return storeRevision(d.db, {
    digest: treeDigest(fetched.files),
    sourceKind: d.source.kind,
    sourceUrl: d.source.url,
    sourcePath: d.sourcePath,
    version: fetched.version,
    signer: fetched.signer,
    files: fetched.files,
    objects,
  }).id;
}

/** Promotes the revision to last-known-good: inventory, status and pointer change together or not at all. */
function commit(db: Db, revisionId: number, objects: KubeObject[]): void {
  db.transaction(() => {
    saveInventory(db, revisionId, objects.map(refOf));
    markRevision(db, revisionId, 'applied');
    const digest = getRevision(db, revisionId)?.digest as string;
    setState(db, 'lkg_revision', { revisionId, digest, at: new Date().toISOString() } satisfies LkgPointer);
  })();
}

function summarize(changes: Change[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of changes) out[c.action] = (out[c.action] ?? 0) + 1;
  return out;
}

function recordMetrics(d: ReconcilerDeps, run: RunRecord, started: number): void {
  const m = d.metrics;
  if (!m) return;
  m.runs.inc({ result: run.result, reason: run.reason ?? '' });
  m.duration.observe({ result: run.result }, (Date.now() - started) / 1000);
  m.lastRun.set({ result: run.result }, Date.now() / 1000);
  const upstream = getState<UpstreamState>(d.db, 'upstream');
  m.upstreamReachable.set(upstream?.reachable ? 1 : 0);
  const lkg = getState<LkgPointer>(d.db, 'lkg_revision');
  if (lkg) m.appliedObjects.set(inventory(d.db, lkg.revisionId).length);
}
