// Reconciler steps that touch the store and the cluster together: store, commit, re-assert, roll back. Each returns
// what it did (its changes, or the run's outcome); none writes the run's record of changes itself.
import { previewChanges } from '../apply/diff.ts';
import { inventoryDiff, pruneObjects } from '../apply/prune.ts';
import { applyAll } from '../apply/ssa.ts';
import type { KubeObject, ObjectRef } from '../cluster/types.ts';
import { refOf, refString } from '../cluster/types.ts';
import type { Db } from '../db/open.ts';
import {
  type AppliedVersion,
  appliedVersions,
  clearInFlight,
  getRevision,
  inFlightRevisions,
  inventory,
  markRevision,
  pruneRevisions,
  RevisionUnreadable,
  revisionObjects,
  saveInventory,
  shortDigest,
  storeRevision,
} from '../db/revisions.ts';
import { setRunRevision } from '../db/runs.ts';
import { guardPrune, storedDesired } from './guard.ts';
import { heldRevision, holdRevision } from './holds.ts';
import type { RenderInputs } from './identity.ts';
import type { Change, RunOutcome, RunRecord } from './run.ts';
import { lkgRevision, upstreamState } from './state-keys.ts';
import { readStatus } from './status.ts';
import {
  asFailure,
  DEFAULT_POLICY,
  isInfrastructure,
  type LkgPointer,
  type ReconcilerDeps,
  StageFailure,
  type SyncPolicy,
} from './types.ts';
import type { Upstream } from './upstream.ts';

/** Dry-run of the LKG against live: one skipped change per object that drifted, naming the fields. */
export async function reportDrift(d: ReconcilerDeps, lkg: LkgPointer, policy: SyncPolicy): Promise<Change[]> {
  // Forced dry-run: a field someone else took over is drift to show, not an error.
  const planned = await previewChanges(d.cluster, storedDesired(d.db, lkg), {
    ...policy,
    forceConflicts: true,
    known: appliedVersions(d.db, lkg.revisionId),
  });
  return planned
    .filter((p) => p.action !== 'unchanged')
    .map((p) => ({
      ref: p.ref,
      action: 'skipped' as const,
      error: p.action === 'created' ? 'drift: missing from the cluster' : `drift: ${p.fields.join(', ')}`,
    }));
}

/**
 * Stores the fetched revision under its identity (durable before anything is applied) and links it to the run. A
 * revision of the same identity stored before is the same content: its row is reused.
 */
export function storeFetched(
  d: ReconcilerDeps,
  runId: number,
  fetched: Upstream,
  inputs: RenderInputs & { digest: string },
  identity: string,
  objects: KubeObject[],
): number {
  const { id } = storeRevision(d.db, {
    digest: identity,
    sourceDigest: fetched.digest,
    inputsDigest: inputs.digest,
    sourceKind: fetched.origin ?? d.source.kind,
    sourceUrl: d.source.url,
    sourcePath: d.sourcePath,
    version: fetched.version,
    signer: fetched.signer,
    label: fetched.label,
    files: fetched.files,
    objects,
  });
  setRunRevision(d.db, runId, id);
  return id;
}

/**
 * What Outpost may have put on the cluster before this run: the LKG's inventory, plus the objects of every
 * revision whose apply a crash (kill -9) cut short and that was never committed or rolled back since. A revision
 * in flight that cannot be read any more adds nothing here; the orphan sweep finds its objects by label.
 */
export function ownedBefore(db: Db, lkg: LkgPointer | null): ObjectRef[] {
  const owned = lkg ? inventory(db, lkg.revisionId) : [];
  const seen = new Set(owned.map(refString));
  for (const id of inFlightRevisions(db)) {
    if (id === lkg?.revisionId) continue;
    let objects: KubeObject[];
    try {
      objects = revisionObjects(db, id);
    } catch (err) {
      if (err instanceof RevisionUnreadable) continue;
      throw err;
    }
    for (const ref of objects.map(refOf)) {
      if (seen.has(refString(ref))) continue;
      seen.add(refString(ref));
      owned.push(ref);
    }
  }
  return owned;
}

/**
 * What this run will prune: everything owned before it that the desired set lacks. Refused before anything is
 * written when it would delete more than the allowed share of what runs now (MassPruneRefused).
 */
export function staleBefore(
  db: Db,
  lkg: LkgPointer | null,
  desired: KubeObject[],
  policy: SyncPolicy,
): ObjectRef[] {
  const stale = inventoryDiff(ownedBefore(db, lkg), desired.map(refOf));
  guardPrune(stale, lkg ? inventory(db, lkg.revisionId) : [], policy.maxPruneRatio);
  return stale;
}

/**
 * Promotes the revision to last-known-good: inventory (with each object's verified live version, for the next
 * run's no-change shortcut), status and pointer change together or not at all.
 */
export function commit(
  db: Db,
  revisionId: number,
  objects: KubeObject[],
  retention: number,
  versions?: ReadonlyMap<string, AppliedVersion>,
): void {
  db.transaction(() => {
    // The prune before this covered every revision in flight (one reconcile at a time).
    clearInFlight(db);
    saveInventory(db, revisionId, objects.map(refOf), versions);
    markRevision(db, revisionId, 'applied');
    const digest = getRevision(db, revisionId)?.digest as string;
    lkgRevision.set(db, { revisionId, digest, at: new Date().toISOString() });
    const held = heldRevision(db)?.revisionId;
    pruneRevisions(db, retention, held ? [revisionId, held] : [revisionId]);
  })();
}

/** Applies the LKG's stored objects again: corrects drift, and needs no network beyond the cluster. */
export async function reassert(
  d: ReconcilerDeps,
  lkg: LkgPointer | null,
  policy: Partial<SyncPolicy> = {},
): Promise<Change[]> {
  // With no LKG yet, "last-known-good" is the empty set: only leftovers of an interrupted apply go. With one, its
  // stored objects must be read whole and match what was applied, or nothing is applied or pruned (StoreCorrupt).
  const objects = lkg ? storedDesired(d.db, lkg) : [];
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
  clearInFlight(d.db);
  return [...report.changes, ...pruned];
}

/**
 * Offline is no reason to drift: when the fetch failed, the LKG is re-asserted from the store (a wiped or edited
 * cluster comes back without the cloud) and the run fails with the fetch's reason, saying what was re-asserted.
 */
export async function reassertOffline(
  d: ReconcilerDeps,
  lkg: LkgPointer | null,
  failure: StageFailure,
): Promise<{ changes: Change[]; failure: StageFailure }> {
  const what = lkg ? `revision ${shortDigest(lkg.digest)}` : 'the empty state (no revision applied yet)';
  const because = (note: string) =>
    new StageFailure(failure.reason, `${failure.message}; ${note}`, { cause: failure.cause });
  try {
    const changes = await reassert(d, lkg);
    return { changes, failure: because(`re-asserted ${what} from the local store`) };
  } catch (err) {
    // A store that cannot give the LKG whole (StoreCorrupt) is the run's reason, not a footnote to the fetch.
    if (err instanceof StageFailure) throw err;
    return { changes: [], failure: because(`re-asserting ${what} failed too: ${(err as Error).message}`) };
  }
}

const NOT_HELD = ' (a cluster failure, not the revision: not held, the next run tries it again)';

/**
 * Puts the cluster back on the LKG after a failed revision: re-apply the LKG, delete what only the failed
 * revision had, mark it failed and hold it so no scheduled run applies it again. Without an LKG (the very
 * first rollout failed) "back" means removing what the failed revision created.
 */
export async function rollBack(
  d: ReconcilerDeps,
  failedId: number,
  lkg: LkgPointer | null,
  failure: StageFailure,
  policy: SyncPolicy,
): Promise<RunOutcome> {
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
  const changes: Change[] = [];
  try {
    if (lkg) changes.push(...(await reassert(d, lkg, policy)));
    const keep = lkg ? inventory(d.db, lkg.revisionId) : [];
    const added = inventoryDiff(revisionObjects(d.db, failedId).map(refOf), keep);
    changes.push(...(await pruneObjects(d.cluster, added)));
    clearInFlight(d.db);
  } catch (err) {
    return {
      result: 'failed',
      // A damaged store is said as such: it is what staff must act on, not the rollback.
      reason: asFailure(err).reason === 'StoreCorrupt' ? 'StoreCorrupt' : 'RollbackFailed',
      message: `${because}; rolling back to ${to ?? 'nothing'} failed: ${(err as Error).message}`,
      changes,
    };
  }
  const message = to
    ? `rolled back from ${from} to ${to} because ${because}`
    : `removed ${from} because ${because}`;
  return { result: 'rolled-back', reason: failure.reason, message, changes };
}

export function recordMetrics(d: ReconcilerDeps, run: RunRecord, started: number): void {
  const m = d.metrics;
  if (!m) return;
  m.runs.inc({ result: run.result, reason: run.reason ?? '' });
  m.duration.observe({ result: run.result }, (Date.now() - started) / 1000);
  m.lastRun.set({ result: run.result }, Date.now() / 1000);
  const upstream = upstreamState.get(d.db);
  m.upstreamReachable.set(upstream?.reachable ? 1 : 0);
  m.upstreamBroken.set(upstream?.broken ? 1 : 0);
  if (upstream?.lastFullFetch) m.upstreamLastFullFetch.set(Date.parse(upstream.lastFullFetch) / 1000);
  m.upstreamFailures.set(upstream?.consecutiveFailures ?? 0);
  if (upstream?.lastContact) m.upstreamLastContact.set(Date.parse(upstream.lastContact) / 1000);
  if (upstream?.lastChange) m.upstreamLastChange.set(Date.parse(upstream.lastChange) / 1000);
  const lkg = lkgRevision.get(d.db);
  if (lkg) m.appliedObjects.set(inventory(d.db, lkg.revisionId).length);
  m.storeDamaged.set(readStatus(d.db).store.ok ? 0 : 1);
}
