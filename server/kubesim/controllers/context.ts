// What every simulated controller gets: clock, timers, reads, and writes recorded under the `k3s` field manager.
import { createHash } from 'node:crypto';
import type { Engine } from '../engine.ts';
import { ApiError } from '../errors.ts';
import type { ResourceType } from '../kinds.ts';
import {
  arr,
  deepEqual,
  globMatch,
  isObject,
  type JsonObject,
  obj,
  rfc3339,
  str,
  templateHash,
} from '../util.ts';
import { create, update } from '../write.ts';

export const MANAGER = 'k3s';
export const NODE_NAME = 'outpost-sim-node';

export interface ControllerOptions {
  readyDelayMs: number;
  failImages: string[];
}

/** setTimeout handles that all die with the simulator. */
export class Timers {
  private readonly handles = new Set<NodeJS.Timeout>();
  private closed = false;

  after(ms: number, fn: () => void): void {
    if (this.closed) return;
    const h = setTimeout(
      () => {
        this.handles.delete(h);
        if (!this.closed) fn();
      },
      Math.max(0, ms),
    );
    this.handles.add(h);
  }

  close(): void {
    this.closed = true;
    for (const h of this.handles) clearTimeout(h);
    this.handles.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

export class Ctx {
  readonly engine: Engine;
  readonly opts: ControllerOptions;
  readonly timers: Timers;
  /** When each object (by uid) was first seen, at ms precision: the base of every simulated delay. */
  private readonly firstSeen = new Map<string, number>();
  private readonly emitted = new Set<string>();
  private readonly wakeups = new Set<number>();
  private readonly cache = new Map<string, { items: JsonObject[]; byOwner?: Map<unknown, JsonObject[]> }>();
  private readonly hashes = new WeakMap<object, string>();
  /** Per pod: the resourceVersion and kubelet stage last acted on, so settled pods cost nothing. */
  readonly podMemo = new Map<string, string>();
  private readonly kick: () => void;

  constructor(engine: Engine, opts: ControllerOptions, timers: Timers, kick: () => void) {
    this.engine = engine;
    this.opts = opts;
    this.timers = timers;
    this.kick = kick;
  }

  now(): number {
    return Date.now();
  }

  rt(apiVersion: string, kind: string): ResourceType {
    return this.engine.rtOf(apiVersion, kind);
  }

  seen(o: JsonObject): number {
    const uid = String(obj(o.metadata).uid);
    let t = this.firstSeen.get(uid);
    if (t === undefined) {
      t = this.now();
      this.firstSeen.set(uid, t);
    }
    return t;
  }

  /** Restarts the clock of an object (its spec changed and the simulated work starts over). */
  resetSeen(o: JsonObject, at = this.now()): void {
    this.firstSeen.set(String(obj(o.metadata).uid), at);
  }

  /** Runs the controllers again at `ms` (epoch), once per distinct time. */
  wakeAt(ms: number): void {
    const at = Math.ceil(ms);
    if (this.wakeups.has(at)) return;
    this.wakeups.add(at);
    this.timers.after(at - this.now() + 1, () => {
      this.wakeups.delete(at);
      this.kick();
    });
  }

  /**
   * Objects of a kind, cached until the store reports a change to that kind: a pass reads the same lists many
   * times. Callers treat the result as read-only.
   */
  list(rt: ResourceType, ns?: string): JsonObject[] {
    return this.entry(rt, ns).items;
  }

  private entry(rt: ResourceType, ns?: string) {
    const resource = this.engine.key(rt);
    const key = `${resource}\u0000${ns ?? '*'}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = { items: this.engine.store.list(resource, ns) };
      this.cache.set(key, hit);
    }
    return hit;
  }

  /** The template hash, computed once per stored template (stored objects never change in place). */
  hash(template: JsonObject): string {
    let h = this.hashes.get(template);
    if (h === undefined) {
      h = templateHash(template);
      this.hashes.set(template, h);
    }
    return h;
  }

  invalidate(resource: string): void {
    const prefix = `${resource}\u0000`;
    for (const k of this.cache.keys()) if (k.startsWith(prefix)) this.cache.delete(k);
  }

  /** Objects whose controller is `owner`, from an index built once per cached list. */
  owned(rt: ResourceType, ns: string, owner: JsonObject): JsonObject[] {
    const entry = this.entry(rt, ns);
    if (!entry.byOwner) {
      const index = new Map<unknown, JsonObject[]>();
      for (const o of entry.items) {
        for (const r of arr(obj(o.metadata).ownerReferences)) {
          if (!isObject(r) || r.controller !== true) continue;
          const list = index.get(r.uid) ?? [];
          list.push(o);
          index.set(r.uid, list);
        }
      }
      entry.byOwner = index;
    }
    return entry.byOwner.get(obj(owner.metadata).uid) ?? [];
  }

  create(rt: ResourceType, ns: string, o: JsonObject, owner?: JsonObject): JsonObject | undefined {
    try {
      return create(this.engine, rt, ns, o, { manager: MANAGER }).object;
    } catch (err) {
      if (err instanceof ApiError && err.reason === 'AlreadyExists') return undefined;
      if (owner && err instanceof Error) {
        this.event(owner, 'Warning', 'FailedCreate', `Error creating: ${err.message}`, 'controllermanager');
      }
      return undefined;
    }
  }

  /** Writes the main object; no-op when nothing changed. */
  update(rt: ResourceType, o: JsonObject): JsonObject | undefined {
    const m = obj(o.metadata);
    try {
      return update(this.engine, rt, str(m.namespace) ?? '', String(m.name), o, { manager: MANAGER }).object;
    } catch {
      return undefined;
    }
  }

  /** Replaces status through the /status subresource when it differs. */
  setStatus(rt: ResourceType, o: JsonObject, status: JsonObject): void {
    if (deepEqual(o.status, status)) return;
    const m = obj(o.metadata);
    try {
      update(
        this.engine,
        rt,
        str(m.namespace) ?? '',
        String(m.name),
        { ...o, status },
        {
          manager: MANAGER,
          subresource: 'status',
        },
      );
    } catch {
      // The object went away between read and write; the next pass sees that.
    }
  }

  delete(rt: ResourceType, o: JsonObject): void {
    const m = obj(o.metadata);
    try {
      this.engine.delete(rt, str(m.namespace) ?? '', String(m.name), { propagationPolicy: 'Background' });
    } catch {
      // Already gone.
    }
  }

  imageFails(image: unknown): boolean {
    return typeof image === 'string' && this.opts.failImages.some((p) => globMatch(p, image));
  }

  /** Records a core/v1 Event once per object, reason and message, as a kubelet or controller would. */
  event(
    involved: JsonObject,
    type: string,
    reason: string,
    message: string,
    component: string,
    fieldPath?: string,
  ): void {
    const m = obj(involved.metadata);
    const key = `${m.uid}|${reason}|${message}`;
    if (this.emitted.has(key)) return;
    this.emitted.add(key);
    const ns = str(m.namespace) ?? 'default';
    const now = rfc3339();
    const ref: JsonObject = {
      kind: involved.kind,
      namespace: ns,
      name: m.name,
      uid: m.uid,
      apiVersion: involved.apiVersion,
      resourceVersion: m.resourceVersion,
    };
    if (fieldPath) ref.fieldPath = fieldPath;
    const suffix = createHash('sha1').update(`${key}|${process.hrtime.bigint()}`).digest('hex').slice(0, 16);
    const host = component === 'kubelet' ? { host: NODE_NAME } : {};
    this.create(this.rt('v1', 'Event'), ns, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${m.name}.${suffix}`, namespace: ns },
      involvedObject: ref,
      reason,
      message,
      source: { component, ...host },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: component === 'kubelet' ? NODE_NAME : '',
    });
  }
}

export function ownerRef(o: JsonObject, blockOwnerDeletion = true): JsonObject {
  const m = obj(o.metadata);
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: m.name,
    uid: m.uid,
    controller: true,
    blockOwnerDeletion,
  };
}

export function isTerminating(o: JsonObject): boolean {
  return obj(o.metadata).deletionTimestamp !== undefined;
}

export function podReady(pod: JsonObject): boolean {
  return arr(obj(pod.status).conditions).some(
    (c) => isObject(c) && c.type === 'Ready' && c.status === 'True',
  );
}

/** A condition list entry that keeps its timestamps while status, reason and message stay the same. */
export function condition(
  previous: unknown,
  type: string,
  status: string,
  reason: string,
  message: string,
  at: string,
  extra: JsonObject = {},
): JsonObject {
  const prev = arr(previous)
    .filter(isObject)
    .find((c) => c.type === type);
  if (prev && prev.status === status && prev.reason === reason && prev.message === message) {
    return { ...prev, ...extra };
  }
  const transition = prev && prev.status === status ? String(prev.lastTransitionTime ?? at) : at;
  return { type, status, ...extra, lastTransitionTime: transition, reason, message };
}
