// The shared write pipeline: body checks, create-time bookkeeping, and the tail every write goes through.
import { parse as parseYaml } from 'yaml';
import { applyDefaults } from './defaults.ts';
import type { Engine, WriteOptions } from './engine.ts';
import { ApiError, alreadyExists, badRequest, type FieldError, internalError, invalid } from './errors.ts';
import { apiVersionOf, hasStatus, type ResourceType, storeKey } from './kinds.ts';
import { type Actor, encodeManaged, type Manager, type Ownership } from './managed.ts';
import {
  clone,
  deepEqual,
  dropNulls,
  isObject,
  type JsonObject,
  newUid,
  obj,
  randomSuffix,
  rfc3339,
  str,
} from './util.ts';
import { kindErrors, metadataErrors, updateErrors } from './validate.ts';

export interface WriteResult {
  object: JsonObject;
  created: boolean;
}

export type OwnershipFn = (managers: Manager[], live: JsonObject | undefined, next: JsonObject) => Ownership;

/** Bodies of create and update: JSON or YAML (protobuf bodies are decoded before, in protobuf.ts). */
export function parseObjectBody(raw: string, contentType: string): unknown {
  const type = contentType.split(';')[0]?.trim() ?? '';
  if (type && type !== 'application/json' && type !== 'application/yaml' && type !== '*/*') {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    );
  }
  return parseBody(raw, type || 'json');
}

export function parseBody(raw: string, contentType: string): unknown {
  const yamlish = /yaml/.test(contentType);
  try {
    // JSON is YAML: an apply body that is JSON text (what client libraries send) is read as JSON, a real API
    // server's YAML reader gives the same object; anything else goes through the YAML parser.
    if (yamlish && raw.trimStart().startsWith('{')) {
      try {
        return JSON.parse(raw);
      } catch {
        // YAML flow style that is not JSON: the YAML parser decides.
      }
    }
    return yamlish ? parseYaml(raw, { maxAliasCount: 100 }) : JSON.parse(raw);
  } catch (err) {
    const msg = (err as Error).message;
    throw badRequest(
      yamlish ? `error decoding YAML: ${msg}` : `couldn't get version/kind; json parse error: ${msg}`,
    );
  }
}

export function asObject(v: unknown): JsonObject {
  if (!isObject(v)) throw badRequest('the body of the request was not a JSON object');
  return v;
}

/** apiVersion and kind must name the URL's resource; namespace defaults to, and must equal, the URL's. */
export function checkTypeMeta(o: JsonObject, rt: ResourceType, ns: string): void {
  const want = apiVersionOf(rt);
  if (o.apiVersion !== undefined && o.apiVersion !== want) {
    throw badRequest(
      `the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${want})`,
    );
  }
  const meta = isObject(o.metadata) ? o.metadata : {};
  o.metadata = meta;
  if (o.kind !== undefined && o.kind !== rt.kind) {
    throw invalid(rt, str(meta.name) ?? '', [
      { type: 'Invalid', field: 'kind', value: o.kind, detail: `must be ${rt.kind}` },
    ]);
  }
  o.apiVersion = want;
  o.kind = rt.kind;
  if (!rt.namespaced) delete meta.namespace;
  else if (meta.namespace === undefined || meta.namespace === '') meta.namespace = ns;
  else if (meta.namespace !== ns) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

export function checkName(o: JsonObject, name: string): void {
  const meta = obj(o.metadata);
  if (meta.name === undefined || meta.name === '') meta.name = name;
  else if (meta.name !== name) {
    throw badRequest(
      `the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`,
    );
  }
}

export function actorOf(rt: ResourceType, opts: WriteOptions): Actor {
  const a: Actor = { manager: opts.manager, apiVersion: apiVersionOf(rt) };
  if (opts.subresource) a.subresource = opts.subresource;
  return a;
}

/** Status a freshly created object starts with: what each kind's registry strategy sets. */
function initialStatus(rt: ResourceType, o: JsonObject): unknown {
  if (rt.crd) return undefined;
  switch (rt.kind) {
    case 'Namespace':
      return { phase: 'Active' };
    case 'Pod':
      return { phase: 'Pending', qosClass: qosClass(o) };
    case 'PersistentVolumeClaim':
      return { phase: 'Pending' };
    case 'Service':
      return { loadBalancer: {} };
    case 'Node':
      return o.status;
    case 'CustomResourceDefinition':
      return { acceptedNames: { kind: '', plural: '' }, storedVersions: [] };
    default:
      return {};
  }
}

function qosClass(pod: JsonObject): string {
  const containers = Array.isArray(obj(pod.spec).containers) ? (obj(pod.spec).containers as unknown[]) : [];
  const res = containers.map((c) => obj(obj(c).resources));
  if (
    res.every((r) => Object.keys(obj(r.limits)).length === 0 && Object.keys(obj(r.requests)).length === 0)
  ) {
    return 'BestEffort';
  }
  const guaranteed = res.every((r) => {
    const l = obj(r.limits);
    const q = obj(r.requests);
    return (
      l.cpu !== undefined &&
      l.memory !== undefined &&
      (q.cpu ?? l.cpu) === l.cpu &&
      (q.memory ?? l.memory) === l.memory
    );
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function prepareCreate(rt: ResourceType, o: JsonObject): void {
  const meta = obj(o.metadata);
  if ((meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string') {
    meta.name = `${meta.generateName}${randomSuffix()}`;
  }
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') {
    throw internalError('resourceVersion should not be set on objects to be created');
  }
  meta.uid = newUid();
  meta.creationTimestamp = rfc3339();
  meta.generation = 1;
  delete meta.deletionTimestamp;
  delete meta.managedFields;
  const status = hasStatus(rt) ? initialStatus(rt, o) : o.status;
  if (status === undefined) delete o.status;
  else o.status = status;
  if (rt.kind === 'Job' && !rt.crd) jobSelector(o);
}

/** A Job gets a selector on its own uid, and its pod template the labels that match it. */
function jobSelector(o: JsonObject): void {
  const spec = obj(o.spec);
  if (spec.manualSelector === true) return;
  const meta = obj(o.metadata);
  const uid = String(meta.uid);
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  const tpl = isObject(spec.template) ? spec.template : {};
  spec.template = tpl;
  const tmeta = isObject(tpl.metadata) ? tpl.metadata : {};
  tpl.metadata = tmeta;
  tmeta.labels = {
    ...obj(tmeta.labels),
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': meta.name,
    'controller-uid': uid,
    'job-name': meta.name,
  };
}

function specPart(o: JsonObject): JsonObject {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

/** Equal apart from metadata.managedFields (compared separately, as field sets). */
function sameObject(a: JsonObject, b: JsonObject): boolean {
  const { metadata: am, ...ar } = a;
  const { metadata: bm, ...br } = b;
  const { managedFields: _a, ...amRest } = obj(am);
  const { managedFields: _b, ...bmRest } = obj(bm);
  return deepEqual(amRest, bmRest) && deepEqual(ar, br);
}

/** The common tail of every write: defaults, ownership, validation, generation, no-op check, store. */
export function finish(
  e: Engine,
  rt: ResourceType,
  live: JsonObject | undefined,
  candidate: JsonObject,
  managers: Manager[],
  opts: WriteOptions,
  own: OwnershipFn,
  /** Runs once ownership is settled: changes it makes are attributed to nobody. */
  afterOwnership?: (next: JsonObject) => void,
): WriteResult {
  let next = candidate;
  applyDefaults(next, {
    rt,
    old: live,
    alloc: { clusterIP: () => e.allocClusterIP(), nodePort: () => e.allocNodePort() },
  });
  next = dropNulls(next) as JsonObject;
  const meta = obj(next.metadata);
  for (const k of ['labels', 'annotations'])
    if (isObject(meta[k]) && Object.keys(meta[k]).length === 0) delete meta[k];
  const ownership = own(managers, live, next);
  afterOwnership?.(next);
  const errs: FieldError[] = [...metadataErrors(next, rt), ...kindErrors(next, rt)];
  if (live && errs.length === 0) errs.push(...updateErrors(next, live, rt));
  if (errs.length > 0) throw invalid(rt, str(meta.name) ?? '', errs);
  if (live && !deepEqual(specPart(next), specPart(live)))
    meta.generation = Number(obj(live.metadata).generation ?? 1) + 1;
  if (ownership.managers.length > 0) meta.managedFields = encodeManaged(ownership.managers);
  else delete meta.managedFields;
  // A write that only rewrites managedFields (kubectl's client-side → server-side apply migration) is real.
  if (live && sameObject(next, live) && deepEqual(meta.managedFields, obj(live.metadata).managedFields)) {
    return { object: live, created: false };
  }
  const ns = str(meta.namespace) ?? '';
  if (!live && e.store.has(storeKey(rt), ns, String(meta.name))) throw alreadyExists(rt, String(meta.name));
  if (opts.dryRun) return { object: next, created: !live };
  const finalizers = meta.finalizers;
  const held = Array.isArray(finalizers) && finalizers.length > 0;
  // Namespaces terminate through their own controller (spec.finalizers), not through metadata.finalizers.
  if (live && meta.deletionTimestamp && !held && !(rt.kind === 'Namespace' && !rt.crd)) {
    return { object: e.finishDeletion(rt, next), created: false };
  }
  const stored = e.store.put(storeKey(rt), next);
  if (rt.kind === 'CustomResourceDefinition' && rt.group === 'apiextensions.k8s.io')
    e.onCrdChange(stored, false);
  return { object: stored, created: !live };
}

/** Carries what a client cannot change through this endpoint over from the stored object. */
export function carryOver(
  rt: ResourceType,
  live: JsonObject,
  o: JsonObject,
  subresource?: 'status',
): JsonObject {
  const lm = obj(live.metadata);
  let next: JsonObject;
  if (subresource === 'status') {
    next = { ...clone(live), status: clone(o.status) };
    if (o.status === undefined) delete next.status;
    const om = obj(o.metadata);
    if (Array.isArray(om.managedFields)) obj(next.metadata).managedFields = om.managedFields;
    return next;
  }
  // `o` is already the caller's own copy (a parsed body, a patch result or a merge result).
  next = o;
  const m = obj(next.metadata);
  next.metadata = m;
  for (const k of [
    'uid',
    'creationTimestamp',
    'generation',
    'resourceVersion',
    'deletionTimestamp',
    'name',
  ]) {
    if (lm[k] === undefined) delete m[k];
    else m[k] = lm[k];
  }
  if (m.managedFields === undefined && lm.managedFields !== undefined) m.managedFields = lm.managedFields;
  if (hasStatus(rt)) {
    if (live.status === undefined) delete next.status;
    else next.status = clone(live.status);
  }
  return next;
}
