// Create, update and the classic patches; server-side apply lives in apply.ts.
import { apply } from './apply.ts';
import type { Engine, WriteOptions } from './engine.ts';
import { ApiError, conflict, STALE } from './errors.ts';
import type { ResourceType } from './kinds.ts';
import { decodeManaged, recordUpdate } from './managed.ts';
import { jsonPatch, mergePatch, strategicMerge } from './patch.ts';
import {
  actorOf,
  asObject,
  carryOver,
  checkName,
  checkTypeMeta,
  finish,
  parseBody,
  prepareCreate,
  type WriteResult,
} from './pipeline.ts';
import { schemaFor } from './schema.ts';
import { clone, type JsonObject, obj } from './util.ts';

export { parseBody, parseObjectBody, type WriteResult } from './pipeline.ts';

const PATCH_TYPES =
  'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json';

export function create(
  e: Engine,
  rt: ResourceType,
  ns: string,
  body: unknown,
  opts: WriteOptions,
): WriteResult {
  const o = clone(asObject(body));
  checkTypeMeta(o, rt, ns);
  e.requireNamespace(rt, ns, String(obj(o.metadata).name ?? ''));
  prepareCreate(rt, o);
  const actor = actorOf(rt, opts);
  const schema = schemaFor(rt);
  return finish(e, rt, undefined, o, [], opts, (m, live, next) =>
    recordUpdate(m, { rt, name: String(obj(next.metadata).name), schema, live, next, actor }),
  );
}

export function update(
  e: Engine,
  rt: ResourceType,
  ns: string,
  name: string,
  body: unknown,
  opts: WriteOptions,
): WriteResult {
  const o = clone(asObject(body));
  checkTypeMeta(o, rt, ns);
  checkName(o, name);
  const live = e.read(rt, ns, name);
  const rv = obj(o.metadata).resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== obj(live.metadata).resourceVersion)
    throw conflict(rt, name, STALE);
  return updateFrom(e, rt, live, o, opts);
}

function updateFrom(
  e: Engine,
  rt: ResourceType,
  live: JsonObject,
  o: JsonObject,
  opts: WriteOptions,
): WriteResult {
  const next = carryOver(rt, live, o, opts.subresource);
  const managers = decodeManaged(next.metadata);
  const actor = actorOf(rt, opts);
  const schema = schemaFor(rt);
  const name = String(obj(live.metadata).name);
  return finish(e, rt, live, next, managers, opts, (m, l, n) =>
    recordUpdate(m, { rt, name, schema, live: l, next: n, actor }),
  );
}

export function patch(
  e: Engine,
  rt: ResourceType,
  ns: string,
  name: string,
  contentType: string,
  raw: string,
  opts: WriteOptions,
): WriteResult {
  const type = contentType.split(';')[0]?.trim() ?? '';
  if (type === 'application/apply-patch+yaml' || type === 'application/apply-patch+cbor') {
    return apply(e, rt, ns, name, parseBody(raw, 'yaml'), opts);
  }
  const schema = schemaFor(rt);
  let fn: (live: JsonObject, p: unknown) => unknown;
  if (type === 'application/merge-patch+json') fn = mergePatch;
  else if (type === 'application/json-patch+json') fn = jsonPatch;
  else if (type === 'application/strategic-merge-patch+json' && !rt.crd)
    fn = (l, p) => strategicMerge(l, p, schema);
  else {
    const accepted = rt.crd
      ? PATCH_TYPES.replace(', application/strategic-merge-patch+json', '')
      : PATCH_TYPES;
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted}`,
    );
  }
  const body = parseBody(raw, 'json');
  const live = e.read(rt, ns, name);
  const patched = asObject(fn(live, body));
  const rv = obj(patched.metadata).resourceVersion;
  if (rv !== undefined && rv !== obj(live.metadata).resourceVersion) throw conflict(rt, name, STALE);
  checkTypeMeta(patched, rt, ns);
  checkName(patched, name);
  return updateFrom(e, rt, live, patched, opts);
}
