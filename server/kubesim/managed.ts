// metadata.managedFields: who owns which field, updated on every write the way the API server's field manager does.
import { ApiError } from './errors.ts';
import {
  compare,
  difference,
  type FieldSet,
  fromFieldsV1,
  intersection,
  pathString,
  setsEqual,
  toFieldsV1,
  union,
} from './fieldset.ts';
import { hasStatus, type ResourceType } from './kinds.ts';
import type { Schema } from './schema.ts';
import { isObject, type JsonObject, rfc3339 } from './util.ts';

export interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource?: string;
  set: FieldSet;
}

export interface Actor {
  manager: string;
  apiVersion: string;
  subresource?: string;
}

/** Appliers keep one identity across API versions; updaters are told apart by version too. */
function identity(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const version = m.operation === 'Update' ? m.apiVersion : '';
  return `${m.manager}\u0000${m.operation}\u0000${version}\u0000${m.subresource ?? ''}`;
}

export function decodeManaged(metadata: unknown): Manager[] {
  const entries = isObject(metadata) ? metadata.managedFields : undefined;
  if (!Array.isArray(entries)) return [];
  return entries.filter(isObject).map((e) => {
    const m: Manager = {
      manager: String(e.manager ?? ''),
      operation: e.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: String(e.apiVersion ?? ''),
      time: String(e.time ?? rfc3339()),
      set: fromFieldsV1(e.fieldsV1),
    };
    if (typeof e.subresource === 'string' && e.subresource) m.subresource = e.subresource;
    return m;
  });
}

export function encodeManaged(managers: Manager[]): JsonObject[] {
  const sorted = [...managers].sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      cmp(p.time, q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return sorted.map((m) => {
    const e: JsonObject = {
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      time: m.time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(m.set),
    };
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const STRIPPED_META = [
  'name',
  'namespace',
  'creationTimestamp',
  'selfLink',
  'uid',
  'generation',
  'managedFields',
  'resourceVersion',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

/** The part of an object whose fields have owners through this endpoint (main resource or /status). */
export function ownedPart(o: unknown, rt: ResourceType, subresource?: string): JsonObject {
  if (!isObject(o)) return {};
  // Shallow copies only: the result is read, never written.
  if (subresource === 'status') return o.status === undefined ? {} : { status: o.status };
  const out: JsonObject = { ...o };
  delete out.apiVersion;
  delete out.kind;
  if (hasStatus(rt)) delete out.status;
  if (isObject(out.metadata)) {
    const meta: JsonObject = { ...out.metadata };
    for (const k of STRIPPED_META) delete meta[k];
    if (Object.keys(meta).length === 0) delete out.metadata;
    else out.metadata = meta;
  }
  return out;
}

export interface Ownership {
  /** Managers left owning something; a write is needed when their encoding differs from the stored one. */
  managers: Manager[];
}

interface Transition {
  rt: ResourceType;
  name: string;
  schema: Schema;
  live: unknown;
  next: unknown;
  actor: Actor;
}

/** A non-apply write: the actor gains what it changed, everyone loses what was changed or removed. */
export function recordUpdate(managers: Manager[], t: Transition): Ownership {
  const c = diff(t);
  const changed = union(c.added, c.modified);
  const out = shrinkOthers(managers, undefined, changed, c.removed);
  const id = identity({ ...t.actor, operation: 'Update' });
  const prev = out.find((m) => identity(m) === id);
  if (changed.size > 0) {
    const set = union(prev ? prev.set : new Set(), changed);
    upsert(out, { ...t.actor, operation: 'Update', time: rfc3339(), set }, prev);
  }
  return finish(out);
}

/** An apply: the actor owns exactly its config; fields others own and this changes are conflicts unless forced. */
export function recordApply(
  managers: Manager[],
  t: Transition,
  configSet: FieldSet,
  force: boolean,
  /** Conflicts that do not count (fields of a matching last-applied annotation: see apply.ts). */
  forgiven: FieldSet = new Set(),
): Ownership {
  const c = diff(t);
  const changed = union(c.added, c.modified);
  const id = identity({ ...t.actor, operation: 'Apply' });
  if (!force) {
    const conflicts: { m: Manager; paths: string[] }[] = [];
    for (const m of managers) {
      if (identity(m) === id) continue;
      const hit = difference(intersection(m.set, changed), forgiven);
      if (hit.size > 0) conflicts.push({ m, paths: [...hit].sort() });
    }
    if (conflicts.length > 0) throw conflictError(conflicts);
  }
  const out = shrinkOthers(managers, id, changed, c.removed);
  const prev = out.find((m) => identity(m) === id);
  const objectChanged = changed.size > 0 || c.removed.size > 0;
  if (!prev || objectChanged || !setsEqual(prev.set, configSet)) {
    upsert(out, { ...t.actor, operation: 'Apply', time: rfc3339(), set: configSet }, prev);
  }
  return finish(out);
}

function diff(t: Transition) {
  return compare(
    ownedPart(t.live, t.rt, t.actor.subresource),
    ownedPart(t.next, t.rt, t.actor.subresource),
    t.schema,
  );
}

function shrinkOthers(managers: Manager[], skip: string | undefined, changed: FieldSet, removed: FieldSet) {
  return managers.map((m) =>
    identity(m) === skip ? { ...m } : { ...m, set: difference(difference(m.set, changed), removed) },
  );
}

function upsert(list: Manager[], m: Manager, prev: Manager | undefined): void {
  if (!m.subresource) delete m.subresource;
  if (prev) list.splice(list.indexOf(prev), 1, m);
  else list.push(m);
}

function finish(after: Manager[]): Ownership {
  return { managers: after.filter((m) => m.set.size > 0) };
}

function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

function conflictError(conflicts: { m: Manager; paths: string[] }[]): ApiError {
  const total = conflicts.reduce((n, c) => n + c.paths.length, 0);
  const causes = conflicts.flatMap((c) =>
    c.paths.map((p) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${printManager(c.m)}`,
      field: pathString(p),
    })),
  );
  let message: string;
  const first = conflicts[0];
  if (total === 1 && first) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(first.m)}: ${pathString(first.paths[0] ?? '')}`;
  } else {
    const lines: string[] = [];
    for (const c of [...conflicts].sort((a, b) => cmp(printManager(a.m), printManager(b.m)))) {
      lines.push(`conflicts with ${printManager(c.m)}:`);
      for (const p of c.paths) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${total} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

/** The field manager named for a request: `?fieldManager=`, else the user agent's program name. */
export function managerFromRequest(fieldManager: string | null, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  const prefix = (userAgent ?? '').split('/')[0]?.trim();
  return (prefix || 'unknown').slice(0, 128);
}
