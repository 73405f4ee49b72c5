// The object store, standing in for etcd: one global revision counter, ordered keys, and a change history.
import { clone, type JsonObject } from './util.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  /** storeKey of the resource type (`apps/deployments`). */
  resource: string;
  object: JsonObject;
  /** The object before this change, for MODIFIED and DELETED. */
  old: JsonObject | undefined;
  rv: number;
}

/** Changes kept for watches to resume from, unless the simulator is started with another window. */
export const DEFAULT_HISTORY = 5000;

function nsName(o: JsonObject): { ns: string; name: string } {
  const meta = (o.metadata ?? {}) as JsonObject;
  return { ns: String(meta.namespace ?? ''), name: String(meta.name ?? '') };
}

function itemKey(ns: string, name: string): string {
  return `${ns}/${name}`;
}

export class Store {
  private rv = 1;
  private readonly data = new Map<string, Map<string, JsonObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly kept: number;

  constructor(kept = DEFAULT_HISTORY) {
    this.kept = kept;
  }

  revision(): number {
    return this.rv;
  }

  /** The oldest revision a watch can still resume from. */
  oldestRevision(): number {
    return this.history[0] ? this.history[0].rv - 1 : this.rv;
  }

  /**
   * The stored object itself. Stored objects are never mutated in place (every write replaces them), so
   * readers may share them as long as they do not modify them.
   */
  get(resource: string, ns: string, name: string): JsonObject | undefined {
    return this.data.get(resource)?.get(itemKey(ns, name));
  }

  has(resource: string, ns: string, name: string): boolean {
    return this.data.get(resource)?.has(itemKey(ns, name)) ?? false;
  }

  /** Objects in key order (namespace, then name), as etcd ranges return them; shared, read-only like get(). */
  list(resource: string, ns?: string): JsonObject[] {
    const bucket = this.data.get(resource);
    if (!bucket) return [];
    const keys = [...bucket.keys()].filter((k) => ns === undefined || k.startsWith(`${ns}/`)).sort();
    return keys.map((k) => bucket.get(k) as JsonObject);
  }

  count(resource: string): number {
    return this.data.get(resource)?.size ?? 0;
  }

  /** Stores `o` under a new revision, which it writes into metadata.resourceVersion. */
  put(resource: string, o: JsonObject): JsonObject {
    const { ns, name } = nsName(o);
    let bucket = this.data.get(resource);
    if (!bucket) {
      bucket = new Map();
      this.data.set(resource, bucket);
    }
    const old = bucket.get(itemKey(ns, name));
    this.rv++;
    const stored = clone(o);
    (stored.metadata as JsonObject).resourceVersion = String(this.rv);
    bucket.set(itemKey(ns, name), stored);
    this.emit({ type: old ? 'MODIFIED' : 'ADDED', resource, object: stored, old, rv: this.rv });
    return stored;
  }

  remove(resource: string, ns: string, name: string): JsonObject | undefined {
    const bucket = this.data.get(resource);
    const old = bucket?.get(itemKey(ns, name));
    if (!bucket || !old) return undefined;
    bucket.delete(itemKey(ns, name));
    this.rv++;
    const gone = clone(old);
    (gone.metadata as JsonObject).resourceVersion = String(this.rv);
    this.emit({ type: 'DELETED', resource, object: gone, old, rv: this.rv });
    return gone;
  }

  /** Drops a whole resource type (its CRD went away); watchers see each object deleted. */
  dropResource(resource: string): void {
    for (const o of this.list(resource)) {
      const { ns, name } = nsName(o);
      this.remove(resource, ns, name);
    }
    this.data.delete(resource);
  }

  /** Events after `rv`, or undefined when history no longer reaches back that far. */
  since(rv: number): StoreEvent[] | undefined {
    if (rv < this.oldestRevision()) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  /** Forgets every change so far, as etcd compaction does: a watch from an older version then gets 410 Gone. */
  compact(): number {
    this.history.length = 0;
    return this.oldestRevision();
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > this.kept) this.history.shift();
    for (const fn of [...this.listeners]) fn(e);
  }
}
