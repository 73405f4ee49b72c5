// The API server's object logic without HTTP: read, list, delete with garbage collection, and allocation.
import { ApiError, conflict, namespaceNotFound, notFound } from './errors.ts';
import { KindRegistry, qualifiedResource, type ResourceType, storeKey } from './kinds.ts';
import { labelsOf, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { Store } from './store.ts';
import { arr, isObject, type JsonObject, obj, rfc3339, str } from './util.ts';

export interface WriteOptions {
  /** The field manager recorded in managedFields. */
  manager: string;
  dryRun?: boolean;
  subresource?: 'status';
  force?: boolean;
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListQuery {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continueToken?: string | null;
}

export interface ListResult {
  items: JsonObject[];
  resourceVersion: string;
  continueToken?: string;
  remaining?: number;
}

export class Engine {
  readonly store: Store;
  readonly kinds = new KindRegistry();
  /** Called after a CRD is stored or removed so served kinds can follow. */
  onCrdChange: (crd: JsonObject, deleted: boolean) => void = () => {};
  private nextIp = 2;
  private readonly nodePorts = new Set<number>();

  /** `history`: how many changes a watch can resume across (the watch cache's window). */
  constructor(history?: number) {
    this.store = new Store(history);
  }

  key(rt: ResourceType): string {
    return storeKey(rt);
  }

  read(rt: ResourceType, ns: string, name: string): JsonObject {
    const o = this.store.get(storeKey(rt), rt.namespaced ? ns : '', name);
    if (!o) throw notFound(rt, name);
    return o;
  }

  find(rt: ResourceType, ns: string, name: string): JsonObject | undefined {
    return this.store.get(storeKey(rt), rt.namespaced ? ns : '', name);
  }

  /** Creation needs the namespace to exist and not be terminating, as the NamespaceLifecycle admission checks. */
  requireNamespace(rt: ResourceType, ns: string, name: string): void {
    if (!rt.namespaced) return;
    const nsObj = this.store.get('/namespaces', '', ns);
    if (!nsObj) throw namespaceNotFound(ns);
    if (obj(nsObj.metadata).deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `${qualifiedResource(rt)} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        {
          name,
          ...(rt.group ? { group: rt.group } : {}),
          kind: rt.plural,
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${ns} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
    }
  }

  list(rt: ResourceType, ns: string | undefined, q: ListQuery = {}): ListResult {
    const byLabel = parseLabelSelector(q.labelSelector ?? null);
    const byField = parseFieldSelector(q.fieldSelector ?? null);
    let items = this.store
      .list(storeKey(rt), rt.namespaced ? ns : undefined)
      .filter((o) => byLabel(labelsOf(o)) && byField(o));
    const resourceVersion = String(this.store.revision());
    if (q.continueToken) {
      const after = decodeContinue(q.continueToken);
      items = items.filter((o) => itemPos(o) > after);
    }
    if (q.limit && q.limit > 0 && items.length > q.limit) {
      const page = items.slice(0, q.limit);
      const last = page[page.length - 1] as JsonObject;
      return {
        items: page,
        resourceVersion,
        continueToken: Buffer.from(JSON.stringify({ v: 'sim', after: itemPos(last) })).toString('base64'),
        remaining: items.length - q.limit,
      };
    }
    return { items, resourceVersion };
  }

  /** Deletes one object and, unless orphaning, everything it owns; a Namespace takes its contents along. */
  delete(rt: ResourceType, ns: string, name: string, opts: DeleteOptions = {}): JsonObject {
    const live = this.read(rt, ns, name);
    const meta = obj(live.metadata);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== meta.uid) {
      throw conflict(
        rt,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`,
      );
    }
    if (pre.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
      throw conflict(
        rt,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`,
      );
    }
    if (opts.dryRun) return live;
    if (Array.isArray(meta.finalizers) && meta.finalizers.length > 0) {
      // Finalizers hold the object in Terminating until whoever owns them removes them (see finishDeletion).
      if (meta.deletionTimestamp) return live;
      const marked = {
        ...live,
        metadata: { ...meta, deletionTimestamp: rfc3339(), deletionGracePeriodSeconds: 0 },
      };
      return this.store.put(storeKey(rt), marked);
    }
    if (rt.kind === 'Namespace' && !rt.crd) {
      // Termination is asynchronous: the namespace controller empties it, then it goes (see purgeNamespace).
      if (meta.deletionTimestamp) return live;
      const terminating = {
        ...live,
        metadata: { ...meta, deletionTimestamp: rfc3339(), deletionGracePeriodSeconds: 0 },
        status: { ...obj(live.status), phase: 'Terminating' },
      };
      return this.store.put(storeKey(rt), terminating);
    }
    const gone = this.removeOne(rt, live, opts.propagationPolicy ?? 'Background');
    if (rt.kind === 'CustomResourceDefinition' && rt.group === 'apiextensions.k8s.io')
      this.onCrdChange(gone, true);
    return gone;
  }

  /**
   * Deletes what a terminating namespace still holds; objects with finalizers only get marked. Returns true
   * once it was empty and the namespace itself is gone.
   */
  purgeNamespace(name: string): boolean {
    let left = 0;
    for (const t of this.kinds.types.filter((x) => x.namespaced)) {
      for (const o of this.store.list(storeKey(t), name)) {
        const fins = obj(o.metadata).finalizers;
        if (Array.isArray(fins) && fins.length > 0) {
          left++;
          if (!obj(o.metadata).deletionTimestamp) this.delete(t, name, String(obj(o.metadata).name));
        } else if (this.store.has(storeKey(t), name, String(obj(o.metadata).name))) {
          this.removeOne(t, o, 'Background');
        }
      }
    }
    if (left > 0) return false;
    this.store.remove('/namespaces', '', name);
    return true;
  }

  /** The last finalizer of a terminating object is gone: now it is really deleted. */
  finishDeletion(rt: ResourceType, o: JsonObject): JsonObject {
    return this.removeOne(rt, o, 'Background');
  }

  private removeOne(rt: ResourceType, o: JsonObject, policy: string): JsonObject {
    const meta = obj(o.metadata);
    const ns = str(meta.namespace) ?? '';
    const gone = this.store.remove(storeKey(rt), ns, String(meta.name)) ?? o;
    const uid = meta.uid;
    for (const t of this.kinds.types) {
      if (t.namespaced && !ns) continue;
      for (const dep of this.store.list(storeKey(t), t.namespaced ? ns : undefined)) {
        const refs = arr(obj(dep.metadata).ownerReferences).filter(isObject);
        if (!refs.some((r) => r.uid === uid)) continue;
        if (policy === 'Orphan') {
          const kept = refs.filter((r) => r.uid !== uid);
          const m = { ...obj(dep.metadata) };
          if (kept.length > 0) m.ownerReferences = kept;
          else delete m.ownerReferences;
          this.store.put(storeKey(t), { ...dep, metadata: m });
        } else if (
          this.store.has(storeKey(t), str(obj(dep.metadata).namespace) ?? '', String(obj(dep.metadata).name))
        ) {
          this.removeOne(t, dep, policy);
        }
      }
    }
    return gone;
  }

  allocClusterIP(): string {
    const n = this.nextIp++;
    return `10.43.${Math.floor(n / 250)}.${n % 250}`;
  }

  allocNodePort(): number {
    for (;;) {
      const p = 30000 + Math.floor(Math.random() * 2768);
      if (!this.nodePorts.has(p)) {
        this.nodePorts.add(p);
        return p;
      }
    }
  }

  rtOf(apiVersion: string, kind: string): ResourceType {
    const rt = this.kinds.byKind(apiVersion, kind);
    if (!rt)
      throw new ApiError(404, 'NotFound', `no kind "${kind}" is registered for version "${apiVersion}"`);
    return rt;
  }
}

function itemPos(o: JsonObject): string {
  const m = obj(o.metadata);
  return `${str(m.namespace) ?? ''}/${str(m.name) ?? ''}`;
}

function decodeContinue(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through to the error below
  }
  throw new ApiError(
    400,
    'BadRequest',
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}
