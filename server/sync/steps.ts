// Reconciler steps that touch the store and the cluster together: store, commit, re-assert, roll back.
import { previewChanges } from '../apply/diff.ts';
import { inventoryDiff, pruneObjects } from '../apply/prune.ts';
import { applyAll } from '../apply/ssa.ts';
import type { KubeObject, ObjectRef } from '../cluster/types.ts';
import { refOf, refString } from '../cluster/types.ts';
import type { Db } from '../db/open.ts';
import {
  getRevision,
  inventory,
  markRevision,
  pruneRevisions,
  revisionObjects,
  saveInventory,
  shortDigest,
  storeRevision,
} from '../db/revisions.ts';
import { type Change, finishRun, type RunRecord, setRunRevision } from '../db/runs.ts';
import { clearState, getState, setState } from '../db/state.ts';
import { treeDigest } from '../sources/digest.ts';
import type { Fetched } from '../sources/types.ts';
import { holdRevision } from './holds.ts';
import type { ReconcilerDeps } from './reconciler.ts';
import {
  DEFAULT_POLICY,
  isInfrastructure,
  type LkgPointer,
  type StageFailure,
  type SyncPolicy,
  type UpstreamState,
} from './types.ts';

/** Dry-run of the LKG against live: one skipped change per object that drifted, naming the fields. */
export async function reportDrift(d: ReconcilerDeps, lkg: LkgPointer, policy: SyncPolicy): Promise<Change[]> {
  // Forced dry-run: a field someone else took over is drift to show, not an error.
  const planned = await previewChanges(d.cluster, revisionObjects(d.db, lkg.revisionId), {
    ...policy,
    forceConflicts: true,
  });
  return planned
    .filter((p) => p.action !== 'unchanged')
    .map((p) => ({
      ref: p.ref,
      action: 'skipped' as const,
      error: p.action === 'created' ? 'drift: missing from the cluster' : `drift: ${p.fields.join(', ')}`,
    }));
}

/** Stores the fetched revision (durable before anything is applied) and links it to the run. */
export function storeFetched(
  d: ReconcilerDeps,
  runId: number,
  fetched: Fetched,
  objects: KubeObject[],
): number {
  const { id } = storeRevision(d.db, {
    digest: treeDigest(fetched.files),
    sourceKind: fetched.origin ?? d.source.kind,
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

export function markInFlight(db: Db, revisionId: number): void {
  setState(db, 'in_flight', { revisionId });
}

/**
 * What Outpost may have put on the cluster before this run: the LKG's inventory, plus the objects of a
 * revision whose apply was cut short (crash, kill -9) and never committed or rolled back.
 */
export function ownedBefore(db: Db, lkg: LkgPointer | null): ObjectRef[] {
  const owned = lkg ? inventory(db, lkg.revisionId) : [];
  const inFlight = getState<{ revisionId: number }>(db, 'in_flight');
  if (!inFlight || inFlight.revisionId === lkg?.revisionId) return owned;
  const seen = new Set(owned.map(refString));
  return [
    ...owned,
    ...revisionObjects(db, inFlight.revisionId)
      .map(refOf)
      .filter((r) => !seen.has(refString(r))),
  ];
}

/** Promotes the revision to last-known-good: inventory, status and pointer change together or not at all. */
export function commit(db: Db, revisionId: number, objects: KubeObject[], retention: number): void {
  db.transaction(() => {
    clearState(db, 'in_flight');
    saveInventory(db, revisionId, objects.map(refOf));
    markRevision(db, revisionId, 'applied');
    const digest = getRevision(db, revisionId)?.digest as string;
    setState(db, 'lkg_revision', { revisionId, digest, at: new Date().toISOString() } satisfies LkgPointer);
    const held = getState<{ revisionId: number | null }>(db, 'held')?.revisionId;
    pruneRevisions(db, retention, held ? [revisionId, held] : [revisionId]);
  })();
}

/** Applies the LKG's stored objects again: corrects drift, and needs no network beyond the cluster. */
export async function reassert(
  d: ReconcilerDeps,
  lkg: LkgPointer | null,
  policy: Partial<SyncPolicy> = {},
): Promise<Change[]> {
  // With no LKG yet, "last-known-good" is the empty set: only leftovers of an interrupted apply go.
  const objects = lkg ? revisionObjects(d.db, lkg.revisionId) : [];
  // Drift correction: the running revision wins over whoever edited its fields since.
  const report = await applyAll(d.cluster, objects, {
    ...DEFAULT_POLICY,
    ...d.policy,
    ...policy,
    forceConflicts: true,
  });
  if (report.failed) throw report.failed;
  const leftovers = inventoryDiff(ownedBefore(d.db, lkg), objects.map(refOf));
  const pruned = await pruneObjects(d.cluster, leftovers);
  clearState(d.db, 'in_flight');
  return [...report.changes, ...pruned];
}

const NOT_HELD = ' (a cluster failure, not the revision: not held, the next run tries it again)';

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
  // The cluster failing (after the client's retries) says nothing about the revision: it is not held, and
  // the next run tries it again.
  const infrastructure = isInfrastructure(failure.cause);
  const because = `${failure.reason}: ${failure.message}${infrastructure ? NOT_HELD : ''}`;
  markRevision(d.db, failedId, 'failed', because);
  if (!infrastructure)
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
    clearState(d.db, 'in_flight');
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
  m.upstreamBroken.set(upstream?.broken ? 1 : 0);
  if (upstream?.lastFullFetch) m.upstreamLastFullFetch.set(Date.parse(upstream.lastFullFetch) / 1000);
  m.upstreamFailures.set(upstream?.consecutiveFailures ?? 0);
  if (upstream?.lastContact) m.upstreamLastContact.set(Date.parse(upstream.lastContact) / 1000);
  if (upstream?.lastChange) m.upstreamLastChange.set(Date.parse(upstream.lastChange) / 1000);
  const lkg = getState<LkgPointer>(d.db, 'lkg_revision');
  if (lkg) m.appliedObjects.set(inventory(d.db, lkg.revisionId).length);
}
