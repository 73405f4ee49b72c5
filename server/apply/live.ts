// Reads the live state of many objects cheaply: one labelled LIST per kind, single GETs only for the rest.
import type { ClusterClient, KubeObject, ObjectRef } from '../cluster/types.ts';
import { refString } from '../cluster/types.ts';
import { mapPool } from '../pool.ts';
import { MANAGED_BY } from './labels.ts';

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

/** Below this many unlisted objects in one namespace, GETs are cheaper than listing every name there. */
const NAMES_FROM = 20;

/**
 * Of refs (one kind and namespace) that our labelled LIST did not show, those that exist at all: one Table LIST
 * of names replaces a GET per object that would answer 404 (every object of a first sync). Null when that
 * kind cannot be listed there (forbidden): the caller GETs them all.
 */
async function existing(cluster: ClusterClient, refs: ObjectRef[]): Promise<ObjectRef[] | null> {
  const first = refs[0] as ObjectRef;
  let names: Set<string>;
  try {
    const opts = first.namespace ? { namespace: first.namespace } : {};
    names = new Set(await cluster.names(first.apiVersion, first.kind, opts));
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 403 || status === 404) return null;
    throw err;
  }
  return refs.filter((r) => names.has(r.name));
}

/**
 * Live objects keyed by refString; null when absent. Objects we own come from one LIST per kind; an object
 * not in that list (not ours yet, or a kind we may not list, such as Secrets) is fetched by name, unless many
 * of them share a namespace: then the names there are listed first and only objects that exist are fetched.
 */
export async function readLive(cluster: ClusterClient, refs: ObjectRef[], concurrency = 8): Promise<LiveMap> {
  const live: LiveMap = new Map();
  const missing: ObjectRef[] = [];
  const unlisted: ObjectRef[] = [];
  const fetchOne = async (r: ObjectRef) => {
    try {
      live.set(refString(r), await cluster.get(r));
    } catch (err) {
      // A kind the cluster does not know yet (its CRD is in this revision): the object is absent.
      if ((err as { status?: number }).status !== 404) throw err;
      live.set(refString(r), null);
    }
  };
  await mapPool(
    groupBy(refs, (r) => `${r.apiVersion} ${r.kind}`),
    concurrency,
    async (group) => {
      const first = group[0] as ObjectRef;
      // The only object of its kind (a namespace, say) is read by name beside the other kinds' lists.
      if (group.length === 1) return fetchOne(first);
      let listed: KubeObject[] | null = null;
      try {
        listed = await cluster.list(first.apiVersion, first.kind, { labelSelector: `${MANAGED_BY}=outpost` });
      } catch (err) {
        // Forbidden (least-privilege RBAC) or a kind that does not exist yet: fall back to GETs.
        const status = (err as { status?: number }).status;
        if (status !== 403 && status !== 404) throw err;
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
        else (listed ? unlisted : missing).push(r);
      }
    },
  );
  await mapPool(
    groupBy(unlisted, (r) => `${r.apiVersion} ${r.kind} ${r.namespace ?? ''}`),
    concurrency,
    async (group) => {
      const there = group.length >= NAMES_FROM ? await existing(cluster, group) : null;
      if (!there) {
        missing.push(...group);
        return;
      }
      const exists = new Set(there.map(refString));
      for (const r of group) {
        if (exists.has(refString(r))) missing.push(r);
        else live.set(refString(r), null);
      }
    },
  );
  await mapPool(missing, concurrency, fetchOne);
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
