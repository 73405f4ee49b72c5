// Reads the live state of many objects cheaply: one labelled LIST per kind, single GETs only for the rest.
import type { ClusterClient, KubeObject, ObjectRef } from '../cluster/types.ts';
import { refString } from '../cluster/types.ts';
import { MANAGED_BY } from './labels.ts';
import { mapPool } from './pool.ts';

export type LiveMap = Map<string, KubeObject | null>;

/** Refs grouped by a key, in first-seen order; appended in place (copying per ref was quadratic). */
function groupBy(refs: ObjectRef[], key: (r: ObjectRef) => string): ObjectRef[][] {
  const groups = new Map<string, ObjectRef[]>();
  for (const r of refs) {
    const k = key(r);
    const group = groups.get(k);
    if (group) group.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()];
}

/**
 * Live objects keyed by refString; null when absent. Objects we own come from one LIST per kind; an object
 * not in that list (not ours yet, or a kind we may not list, such as Secrets) is fetched by name.
 */
export async function readLive(cluster: ClusterClient, refs: ObjectRef[], concurrency = 8): Promise<LiveMap> {
  const live: LiveMap = new Map();
  const missing: ObjectRef[] = [];
  await mapPool(
    groupBy(refs, (r) => `${r.apiVersion} ${r.kind}`),
    concurrency,
    async (group) => {
      const first = group[0] as ObjectRef;
      let listed: KubeObject[] | null = null;
      if (group.length > 1) {
        try {
          listed = await cluster.list(first.apiVersion, first.kind, {
            labelSelector: `${MANAGED_BY}=outpost`,
          });
        } catch (err) {
          // Forbidden (least-privilege RBAC) or a kind that does not exist yet: fall back to GETs.
          const status = (err as { status?: number }).status;
          if (status !== 403 && status !== 404) throw err;
        }
      }
      const index = new Map(
        (listed ?? []).map((o) => [
          refString({ ...first, namespace: o.metadata.namespace, name: o.metadata.name }),
          o,
        ]),
      );
      for (const r of group) {
        const found = index.get(refString(r));
        if (found) live.set(refString(r), found);
        else missing.push(r);
      }
    },
  );
  await mapPool(missing, concurrency, async (r) => {
    try {
      live.set(refString(r), await cluster.get(r));
    } catch (err) {
      // A kind the cluster does not know yet (its CRD is in this revision): the object is absent.
      if ((err as { status?: number }).status !== 404) throw err;
      live.set(refString(r), null);
    }
  });
  return live;
}

/**
 * Which of these objects exist, as refStrings. Only names are read (one Table LIST per kind and namespace), so
 * thousands of ConfigMaps cost a few bytes each; what those lists do not show (not labelled, or a kind we may
 * not list, such as Secrets) is read as readLive would.
 */
export async function readPresence(
  cluster: ClusterClient,
  refs: ObjectRef[],
  concurrency = 8,
): Promise<Set<string>> {
  const present = new Set<string>();
  const unseen: ObjectRef[] = [];
  const byNamespace = groupBy(refs, (r) => `${r.apiVersion} ${r.kind} ${r.namespace ?? ''}`);
  await mapPool(byNamespace, concurrency, async (group) => {
    const first = group[0] as ObjectRef;
    let names: Set<string> | null = null;
    try {
      const opts = {
        labelSelector: `${MANAGED_BY}=outpost`,
        ...(first.namespace ? { namespace: first.namespace } : {}),
      };
      names = new Set(await cluster.names(first.apiVersion, first.kind, opts));
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status !== 403 && status !== 404) throw err;
    }
    for (const r of group) {
      if (names?.has(r.name)) present.add(refString(r));
      else unseen.push(r);
    }
  });
  for (const [key, obj] of await readLive(cluster, unseen, concurrency)) if (obj) present.add(key);
  return present;
}
