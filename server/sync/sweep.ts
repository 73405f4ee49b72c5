// Orphan sweep: objects carrying our owner label that the running revision does not hold (a crash cut an apply
// short and its revision was lost, a store row was damaged) are found by label and pruned — or only reported when
// marked `outpost.io/prune: disabled`. Runs after a commit (a complete desired set), at most every sweepIntervalMs.
import { MANAGED_BY, PRUNE_ANNOTATION } from '../apply/labels.ts';
import { pruneObjects } from '../apply/prune.ts';
import type { KubeObject, ObjectRef } from '../cluster/types.ts';
import { refOf, refString } from '../cluster/types.ts';
import { storedKinds } from '../db/revisions.ts';
import { stateCell } from '../db/state.ts';
import { mapPool } from '../pool.ts';
import { guardPrune } from './guard.ts';
import type { Change } from './run.ts';
import { asFailure, type ReconcilerDeps, type SyncPolicy } from './types.ts';

/** When the last sweep looked: this module's own key of the state table. */
const lastSweep = stateCell<{ at: string }>('last_sweep');

/**
 * Prunes labelled objects outside `running` (the revision just committed) when a sweep is due. Never fails the
 * run it follows: a sweep that cannot list, or that would delete too much (MassPruneRefused), removes nothing,
 * is logged, and reports each orphan it kept as a skipped change.
 */
export async function sweepOrphans(
  d: ReconcilerDeps,
  running: ObjectRef[],
  policy: SyncPolicy,
  now = new Date(),
): Promise<Change[]> {
  const last = lastSweep.get(d.db);
  if (last && now.getTime() - Date.parse(last.at) < policy.sweepIntervalMs) return [];
  lastSweep.set(d.db, { at: now.toISOString() });
  let orphans: KubeObject[] = [];
  try {
    const labelled = await labelledObjects(d, policy.concurrency);
    const wanted = new Set(running.map(refString));
    orphans = labelled.filter((o) => !wanted.has(refString(refOf(o))));
    if (orphans.length === 0) return [];
    const kept = orphans.filter((o) => o.metadata.annotations?.[PRUNE_ANNOTATION] === 'disabled');
    const doomed = orphans.filter((o) => !kept.includes(o)).map(refOf);
    guardPrune(doomed, labelled.map(refOf), policy.maxPruneRatio);
    const pruned = await pruneObjects(d.cluster, doomed);
    d.log.warn(
      { deleted: pruned.filter((c) => c.action === 'deleted').map((c) => c.ref), kept: kept.length },
      'orphan sweep: removed labelled objects the running revision does not hold',
    );
    return [
      ...kept.map((o) => ({
        ref: refString(refOf(o)),
        action: 'skipped' as const,
        error: `orphan: not in the running revision; kept because it is marked ${PRUNE_ANNOTATION}: disabled`,
      })),
      ...pruned,
    ];
  } catch (err) {
    const failure = asFailure(err);
    d.log.error({ err, reason: failure.reason }, `orphan sweep removed nothing: ${failure.message}`);
    return orphans.map((o) => ({
      ref: refString(refOf(o)),
      action: 'skipped' as const,
      error: `orphan not removed (${failure.reason}): ${failure.message}`,
    }));
  }
}

/**
 * Every object with our owner label, of every kind the store knows Outpost applied; objects a controller made
 * (ownerReferences) are the controller's to remove and never count.
 */
async function labelledObjects(d: ReconcilerDeps, concurrency: number): Promise<KubeObject[]> {
  const perKind = await mapPool(storedKinds(d.db), concurrency, async ({ apiVersion, kind }) => {
    try {
      return await d.cluster.list(apiVersion, kind, { labelSelector: `${MANAGED_BY}=outpost` });
    } catch (err) {
      // A kind this cluster no longer serves (its CRD went) or that we may not list holds nothing to sweep.
      if ([403, 404].includes((err as { status?: number }).status ?? 0)) return [];
      throw err;
    }
  });
  return perKind.flat().filter((o) => !(o.metadata.ownerReferences as unknown[] | undefined)?.length);
}
