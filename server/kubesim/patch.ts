// The three classic patch formats: JSON merge patch (RFC 7386), JSON patch (RFC 6902), strategic merge patch.
import { ApiError, badRequest } from './errors.ts';
import { listElement } from './fieldset.ts';
import type { Schema } from './schema.ts';
import { clone, deepEqual, isObject, type JsonObject } from './util.ts';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops))
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = clone(target);
  for (const raw of ops) {
    if (!isObject(raw)) throw badRequest('invalid JSON patch operation');
    const op = String(raw.op ?? '');
    const path = String(raw.path ?? '');
    switch (op) {
      case 'add':
        doc = put(doc, path, clone(raw.value), 'add');
        break;
      case 'replace':
        get(doc, path, op);
        doc = put(doc, path, clone(raw.value), 'replace');
        break;
      case 'remove':
        get(doc, path, op);
        doc = put(doc, path, undefined, 'remove');
        break;
      case 'move': {
        const from = String(raw.from ?? '');
        const v = get(doc, from, op);
        doc = put(doc, from, undefined, 'remove');
        doc = put(doc, path, v, 'add');
        break;
      }
      case 'copy':
        doc = put(doc, path, clone(get(doc, String(raw.from ?? ''), op)), 'add');
        break;
      case 'test':
        if (!deepEqual(get(doc, path, op), raw.value)) {
          throw new ApiError(
            422,
            'Invalid',
            `the server rejected our request due to an error in our request`,
          );
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function missing(op: string, path: string): ApiError {
  return new ApiError(
    422,
    'Invalid',
    `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "${path}": missing value`,
  );
}

function get(doc: unknown, path: string, op: string): unknown {
  let cur = doc;
  for (const t of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw missing(op, path);
  }
  return cur;
}

function put(doc: unknown, path: string, value: unknown, mode: 'add' | 'replace' | 'remove'): unknown {
  const toks = pointer(path);
  if (toks.length === 0) return value;
  const parent = get(doc, `/${toks.slice(0, -1).map(escapeToken).join('/')}`.replace(/^\/$/, ''), mode);
  const last = toks[toks.length - 1] as string;
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) throw missing(mode, path);
    if (mode === 'add') parent.splice(idx, 0, value);
    else if (mode === 'replace') parent[idx] = value;
    else parent.splice(idx, 1);
  } else if (isObject(parent)) {
    if (mode === 'remove') delete parent[last];
    else parent[last] = value;
  } else {
    throw missing(mode, path);
  }
  return doc;
}

function escapeToken(t: string): string {
  return t.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Strategic merge patch: a merge patch that merges keyed lists by their merge key, unions sets, and honours
 * the $patch / $setElementOrder / $retainKeys / $deleteFromPrimitiveList directives kubectl sends.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: strategic merge follows the apimachinery algorithm directive by directive ($patch, $setElementOrder, $retainKeys, …).
export function strategicMerge(target: unknown, patch: unknown, s: Schema): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'delete') return undefined;
  const base: JsonObject = isObject(target) && patch.$patch !== 'replace' ? clone(target) : {};
  const retain = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys.map(String)) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = base[field];
      if (Array.isArray(cur) && Array.isArray(v))
        base[field] = cur.filter((x) => !v.some((d) => deepEqual(d, x)));
      continue;
    }
    const fs = s.field(k);
    if (v === null) {
      delete base[k];
    } else if (Array.isArray(v)) {
      base[k] = mergeListStrategic(base[k], v, fs);
    } else if (isObject(v) && fs.objectType() !== 'atomic') {
      const merged = strategicMerge(base[k], v, fs);
      if (merged === undefined) delete base[k];
      else base[k] = merged;
    } else {
      base[k] = clone(v);
    }
  }
  if (retain) for (const k of Object.keys(base)) if (!retain.has(k)) delete base[k];
  return base;
}

function mergeListStrategic(current: unknown, patch: unknown[], s: Schema): unknown[] {
  const info = s.list();
  const cur = Array.isArray(current) ? current : [];
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) {
    return clone(patch.filter((p) => !(isObject(p) && p.$patch === 'replace')));
  }
  if (info.type === 'set') {
    const out = clone(cur);
    for (const v of patch) if (!out.some((x) => deepEqual(x, v))) out.push(clone(v));
    return out;
  }
  if (info.type !== 'map') return clone(patch);
  // Strategic merge identifies items by the first (merge) key only.
  const mergeKey = info.keys?.[0] ?? 'name';
  const keyInfo = { type: 'map', keys: [mergeKey] };
  const out = clone(cur);
  for (const p of patch) {
    if (!isObject(p)) continue;
    const k = listElement(p, -1, keyInfo);
    const idx = out.findIndex((x, i) => listElement(x, i, keyInfo) === k);
    if (p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMerge(out[idx], p, s.item());
    else out.push(strategicMerge(undefined, p, s.item()));
  }
  return out;
}
