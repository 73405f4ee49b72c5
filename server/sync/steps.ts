// Reconciler steps that touch the store and the cluster together: store, commit, re-assert, roll back.
import { inventoryDiff, pruneObjects } from '../apply/prune.ts';
import { applyAll } from '../apply/ssa.ts';
import type { KubeObject } from '../cluster/types.ts';
import { refOf } from '../cluster/types.ts';
import type { Db } from '../db/open.ts';
import {
  getRevision,
  inventory,
  markRevision,
  revisionObjects,
  saveInventory,
  shortDigest,
  storeRevision,
} from '../db/revisions.ts';
import { type Change, finishRun, type RunRecord, setRunRevision } from '../db/runs.ts';
import { getState, setState } from '../db/state.ts';
import { treeDigest } from '../sources/digest.ts';
import type { Fetched } from '../sources/types.ts';
import { holdRevision } from './holds.ts';
import type { ReconcilerDeps } from './reconciler.ts';
import {
  DEFAULT_POLICY,
  type LkgPointer,
  type StageFailure,
  type SyncPolicy,
  type UpstreamState,
} from './types.ts';

/** Stores the fetched revision (durable before anything is applied) and links it to the run. */
export function storeFetched(
  d: ReconcilerDeps,
  runId: number,
  fetched: Fetched,
  objects: KubeObject[],
): number {
  const { id } = storeRevision(d.db, {
    digest: treeDigest(fetched.files),
    sourceKind: d.source.kind,
    sourceUrl: d.source.url,
    sourcePath: d.sourcePath,
    version: fetched.version,
    signer: fetched.signer,
    files: fetched.files,
    objects,
  });
  setRunRevision(d.db, runId, id);
  return id;
}

/** Promotes the revision to last-known-good: inventory, status and pointer change together or not at all. */
export function commit(db: Db, revisionId: number, objects: KubeObject[]): void {
  db.transaction(() => {
    saveInventory(db, revisionId, objects.map(refOf));
    markRevision(db, revisionId, 'applied');
    const digest = getRevision(db, revisionId)?.digest as string;
    setState(db, 'lkg_revision', { revisionId, digest, at: new Date().toISOString() } satisfies LkgPointer);
  })();
}

/** Applies the LKG's stored objects again: corrects drift, and needs no network beyond the cluster. */
export async function reassert(
  d: ReconcilerDeps,
  lkg: LkgPointer,
  policy: Partial<SyncPolicy> = {},
): Promise<Change[]> {
  const report = await applyAll(d.cluster, revisionObjects(d.db, lkg.revisionId), {
    ...DEFAULT_POLICY,
    ...d.policy,
    ...policy,
  });
  if (report.failed) throw report.failed;
  return report.changes;
}

/**
 * Puts the cluster back on the LKG after a failed revision: re-apply the LKG, delete what only the failed
 * revision had, mark it failed and hold it so no scheduled run applies it again. Without an LKG (the very
 * first rollout failed) "back" means removing what the failed revision created.
 */
export async function rollBack(
  d: ReconcilerDeps,
  runId: number,
  failedId: number,
  lkg: LkgPointer | null,
  failure: StageFailure,
  changes: Change[],
  policy: SyncPolicy,
): Promise<void> {
  const failed = getRevision(d.db, failedId);
  const from = failed ? shortDigest(failed.digest) : String(failedId);
  const to = lkg ? shortDigest(lkg.digest) : null;
  const because = `${failure.reason}: ${failure.message}`;
  markRevision(d.db, failedId, 'failed', because);
  holdRevision(d.db, {
    digest: failed?.digest ?? '',
    revisionId: failedId,
    from,
    to,
    reason: failure.reason,
    message: to
      ? `rolled back from ${from} to ${to} because ${because}`
      : `removed ${from} because ${because}`,
    at: new Date().toISOString(),
  });
  try {
    if (lkg) changes.push(...(await reassert(d, lkg, policy)));
    const keep = lkg ? inventory(d.db, lkg.revisionId) : [];
    const added = inventoryDiff(revisionObjects(d.db, failedId).map(refOf), keep);
    changes.push(...(await pruneObjects(d.cluster, added)));
  } catch (err) {
    finishRun(d.db, runId, {
      result: 'failed',
      reason: 'RollbackFailed',
      message: `${because}; rolling back to ${to ?? 'nothing'} failed: ${(err as Error).message}`,
      changes,
    });
    return;
  }
  const message = to
    ? `rolled back from ${from} to ${to} because ${because}`
    : `removed ${from} because ${because}`;
  finishRun(d.db, runId, { result: 'rolled-back', reason: failure.reason, message, changes });
}

export function recordMetrics(d: ReconcilerDeps, run: RunRecord, started: number): void {
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
