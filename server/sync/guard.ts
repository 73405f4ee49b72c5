// What must hold before Outpost deletes anything: a desired set read whole from the store, and no mass prune
// without staff confirmation. Both stop the run with a named reason and leave the cluster untouched.
import { inventoryDiff } from '../apply/prune.ts';
import type { KubeObject, ObjectRef } from '../cluster/types.ts';
import { refOf, refString } from '../cluster/types.ts';
import type { Db } from '../db/open.ts';
import { inventory, RevisionUnreadable, revisionObjects, shortDigest } from '../db/revisions.ts';
import { type LkgPointer, StageFailure } from './types.ts';

/**
 * The running revision's objects as stored, refused (StoreCorrupt) unless they are exactly what its inventory
 * says was applied: a missing or damaged row must never turn into "apply nothing, prune everything".
 */
export function storedDesired(db: Db, lkg: LkgPointer): KubeObject[] {
  const what = `the running revision ${shortDigest(lkg.digest)} (id ${lkg.revisionId})`;
  let objects: KubeObject[];
  try {
    objects = revisionObjects(db, lkg.revisionId);
  } catch (err) {
    if (!(err instanceof RevisionUnreadable)) throw err;
    throw new StageFailure(
      'StoreCorrupt',
      `${what} cannot be read from the local store (${err.message}); nothing was applied or removed`,
      { cause: err },
    );
  }
  const applied = inventory(db, lkg.revisionId);
  const refs = objects.map(refOf);
  const missing = inventoryDiff(applied, refs).length;
  const extra = inventoryDiff(refs, applied).length;
  // An empty set is only whole when nothing was applied either (a site with nothing to run).
  if (missing > 0 || extra > 0) {
    throw new StageFailure(
      'StoreCorrupt',
      `${what} in the local store holds ${objects.length} object(s) but ${applied.length} were applied ` +
        `(${missing} missing, ${extra} unknown); nothing was applied or removed`,
    );
  }
  return objects;
}

/**
 * Refuses (MassPruneRefused) a prune that would delete more than `maxRatio` of `managed` — the running
 * revision's inventory, or the labelled objects an orphan sweep found — unless staff confirmed it.
 */
export function guardPrune(stale: ObjectRef[], managed: ObjectRef[], maxRatio: number): void {
  if (managed.length === 0) return;
  const doomed = new Set(stale.map(refString));
  const count = managed.filter((r) => doomed.has(refString(r))).length;
  if (count / managed.length <= maxRatio) return;
  throw new StageFailure(
    'MassPruneRefused',
    `the prune would delete ${count} of ${managed.length} managed objects (more than ${Math.round(maxRatio * 100)}%); ` +
      'nothing was removed. If this is intended, run `outpost sync --once --allow-mass-prune`',
  );
}
