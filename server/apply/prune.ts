// Prune: delete what Outpost applied before and no longer wants — only objects that still carry our label,
// never one marked `outpost.io/prune: disabled`, and a namespace only when nothing in it belongs to someone else.
import type { ClusterClient, KubeObject, ObjectRef } from '../cluster/types.ts';
import { refString } from '../cluster/types.ts';
import type { Change } from './changes.ts';
import { PruneError } from './errors.ts';
import { isOwned, PRUNE_ANNOTATION } from './labels.ts';
import { rankOf } from './order.ts';

export function inventoryDiff(previous: ObjectRef[], next: ObjectRef[]): ObjectRef[] {
  const keep = new Set(next.map(refString));
  return previous.filter((r) => !keep.has(refString(r)));
}

/** Kinds people create by hand in a namespace; what controllers create carries ownerReferences instead. */
const AUTHORED_KINDS: [string, string][] = [
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'StatefulSet'],
  ['apps/v1', 'DaemonSet'],
  ['batch/v1', 'Job'],
  ['batch/v1', 'CronJob'],
  ['v1', 'Service'],
  ['v1', 'ConfigMap'],
  ['v1', 'PersistentVolumeClaim'],
  ['v1', 'ServiceAccount'],
  ['networking.k8s.io/v1', 'Ingress'],
];

/** Objects Kubernetes itself puts in every namespace. */
function builtIn(kind: string, o: KubeObject): boolean {
  return (
    (kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt') ||
    (kind === 'ServiceAccount' && o.metadata.name === 'default')
  );
}

/** The first object in the namespace that is neither ours, nor built in, nor made by a controller. */
async function foreignObject(cluster: ClusterClient, namespace: string): Promise<string | null> {
  for (const [apiVersion, kind] of AUTHORED_KINDS) {
    let items: KubeObject[];
    try {
      items = await cluster.list(apiVersion, kind, { namespace });
    } catch (err) {
      // A kind we may not list (least privilege) or that this cluster lacks cannot hold a verdict.
      if ([403, 404].includes((err as { status?: number }).status ?? 0)) continue;
      throw err;
    }
    const other = items.find(
      (o) =>
        !isOwned(o) && !builtIn(kind, o) && !(o.metadata.ownerReferences as unknown[] | undefined)?.length,
    );
    if (other) return `${kind} ${other.metadata.name}`;
  }
  return null;
}

/** Deletes in reverse apply order: workloads before their config, namespaces and CRDs last. */
export async function pruneObjects(cluster: ClusterClient, stale: ObjectRef[]): Promise<Change[]> {
  const changes: Change[] = [];
  const ordered = [...stale].sort((a, b) => rankOf(b) - rankOf(a));
  for (const ref of ordered) {
    const id = refString(ref);
    try {
      const live = await cluster.get(ref);
      if (!live) continue;
      if (!isOwned(live) || live.metadata.annotations?.[PRUNE_ANNOTATION] === 'disabled') {
        changes.push({ ref: id, action: 'skipped' });
        continue;
      }
      if (ref.kind === 'Namespace' && ref.apiVersion === 'v1') {
        const foreign = await foreignObject(cluster, ref.name);
        if (foreign) {
          changes.push({
            ref: id,
            action: 'skipped',
            error: `kept: it also holds ${foreign}, which Outpost does not manage`,
          });
          continue;
        }
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
