// Prune: delete what the previous inventory had and the new one lacks — only if it still carries our label.
import type { ClusterClient, ObjectRef } from '../cluster/types.ts';
import { refString } from '../cluster/types.ts';
import type { Change } from '../db/runs.ts';
import { PruneError } from './errors.ts';
import { isOwned, PRUNE_ANNOTATION } from './labels.ts';

export function inventoryDiff(previous: ObjectRef[], next: ObjectRef[]): ObjectRef[] {
  const keep = new Set(next.map(refString));
  return previous.filter((r) => !keep.has(refString(r)));
}

/** Deletes in reverse apply order so workloads go before their namespaces. */
export async function pruneObjects(cluster: ClusterClient, stale: ObjectRef[]): Promise<Change[]> {
  const changes: Change[] = [];
  for (const ref of [...stale].reverse()) {
    const id = refString(ref);
    try {
      const live = await cluster.get(ref);
      if (!live) continue;
      if (!isOwned(live) || live.metadata.annotations?.[PRUNE_ANNOTATION] === 'disabled') {
        changes.push({ ref: id, action: 'skipped' });
        continue;
      }
      await cluster.delete(ref);
      changes.push({ ref: id, action: 'deleted' });
    } catch (err) {
      if ((err as { status?: number }).status === 404) continue;
      throw new PruneError(`${id}: ${(err as Error).message}`, { cause: err });
    }
  }
  return changes;
}
