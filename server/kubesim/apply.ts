// Server-side apply: merge the config into the live object, prune what the manager dropped, track ownership.
import type { Engine, WriteOptions } from './engine.ts';
import { badRequest, conflict, invalid, STALE } from './errors.ts';
import { compare, difference, type FieldSet, toFieldSet, union } from './fieldset.ts';
import { apiVersionOf, type ResourceType } from './kinds.ts';
import { decodeManaged, ownedPart, recordApply } from './managed.ts';
import { mergeValue, prune } from './merge.ts';
import {
  actorOf,
  asObject,
  carryOver,
  checkName,
  checkTypeMeta,
  finish,
  type OwnershipFn,
  prepareCreate,
  type WriteResult,
} from './pipeline.ts';
import { type Schema, schemaFor } from './schema.ts';
import { canonicalJson, clone, isObject, type JsonObject, obj } from './util.ts';

export function apply(
  e: Engine,
  rt: ResourceType,
  ns: string,
  name: string,
  body: unknown,
  opts: WriteOptions,
): WriteResult {
  const config = clone(asObject(body));
  const want = apiVersionOf(rt);
  if (config.apiVersion !== want) {
    throw badRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${String(config.apiVersion ?? '')}, expected: ${want}`,
    );
  }
  if (config.kind !== rt.kind) {
    throw invalid(rt, name, [
      { type: 'Invalid', field: 'kind', value: config.kind ?? '', detail: `must be ${rt.kind}` },
    ]);
  }
  if (isObject(config.metadata) && config.metadata.managedFields !== undefined) {
    throw badRequest('metadata.managedFields must be nil');
  }
  checkTypeMeta(config, rt, ns);
  checkName(config, name);
  const live = e.find(rt, ns, name);
  if (!live) e.requireNamespace(rt, ns, name);
  const rv = obj(config.metadata).resourceVersion;
  if (live && rv !== undefined && rv !== obj(live.metadata).resourceVersion) throw conflict(rt, name, STALE);
  const schema = schemaFor(rt);
  const actor = actorOf(rt, opts);
  const managers = live ? decodeManaged(live.metadata) : [];
  const configSet = toFieldSet(ownedPart(config, rt, opts.subresource), schema);
  const base: JsonObject = live ?? { apiVersion: want, kind: rt.kind, metadata: { name } };
  if (!live && rt.namespaced) obj(base.metadata).namespace = ns;
  let merged = mergeValue(base, config, schema) as JsonObject;
  const prev = managers.find(
    (m) =>
      m.operation === 'Apply' &&
      m.manager === opts.manager &&
      (m.subresource ?? '') === (opts.subresource ?? ''),
  );
  if (prev) {
    const owned = union(configSet, ...managers.filter((m) => m !== prev).map((m) => m.set));
    prune(merged, prev.set, owned, schema);
  }
  // Identity and bookkeeping always come from the stored object, whatever the config says.
  if (live) merged = carryOver(rt, live, merged, opts.subresource);
  else prepareCreate(rt, merged);
  let forgiven: FieldSet = new Set();
  if (live && opts.manager === 'kubectl' && !opts.subresource) {
    forgiven = lastAppliedFields(rt, live, schema);
  }
  const own: OwnershipFn = (m, l, n) =>
    recordApply(m, { rt, name, schema, live: l, next: n, actor }, configSet, opts.force === true, forgiven);
  // The server rewrites the annotation after ownership is settled: its owner stays the client-side applier,
  // which is how kubectl then finds the entries to migrate.
  const after = forgiven.size > 0 ? (n: JsonObject) => setLastApplied(n, config) : undefined;
  return finish(e, rt, live, merged, managers, opts, own, after);
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The API server's upgrade path from client-side to server-side apply, for the `kubectl` manager only: fields
 * of the last-applied annotation whose live value still matches it are not conflicts.
 */
function lastAppliedFields(rt: ResourceType, live: JsonObject, schema: Schema): FieldSet {
  const text = obj(obj(live.metadata).annotations)[LAST_APPLIED];
  if (typeof text !== 'string' || !text) return new Set();
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return new Set();
  }
  if (obj(lastApplied).apiVersion !== live.apiVersion) return new Set();
  const appliedPart = ownedPart(lastApplied, rt);
  const c = compare(appliedPart, ownedPart(live, rt), schema);
  return difference(toFieldSet(appliedPart, schema), union(c.modified, c.added, c.removed));
}

/** Keeps the annotation in step with what kubectl now applies server-side, as the server does. */
function setLastApplied(merged: JsonObject, config: JsonObject): void {
  const copy = clone(config);
  const annotations = obj(obj(copy.metadata).annotations);
  delete annotations[LAST_APPLIED];
  if (Object.keys(annotations).length === 0 && isObject(copy.metadata)) delete copy.metadata.annotations;
  const meta = obj(merged.metadata);
  meta.annotations = { ...obj(meta.annotations), [LAST_APPLIED]: canonicalJson(copy) };
}
