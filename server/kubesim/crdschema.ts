// What a structural CRD schema does to stored custom resources: unknown fields pruned, `default:` values filled.
import { clone, isObject, type JsonObject } from './util.ts';

const ROOT_KEEP = new Set(['apiVersion', 'kind', 'metadata']);

/** Applies pruning and defaulting in place, like the apiextensions server before it stores an object. */
export function structural(o: JsonObject, schema: JsonObject | undefined): void {
  if (!schema) return;
  walk(o, schema, true);
}

function preserves(s: JsonObject): boolean {
  return s['x-kubernetes-preserve-unknown-fields'] === true || s['x-kubernetes-embedded-resource'] === true;
}

function walk(v: unknown, s: JsonObject, root = false): void {
  if (Array.isArray(v)) {
    if (isObject(s.items)) for (const item of v) walk(item, s.items);
    return;
  }
  if (!isObject(v)) return;
  const props = isObject(s.properties) ? s.properties : undefined;
  const extra = isObject(s.additionalProperties) ? s.additionalProperties : undefined;
  if (props) {
    for (const [name, ps] of Object.entries(props)) {
      if (isObject(ps) && v[name] === undefined && ps.default !== undefined) v[name] = clone(ps.default);
    }
  }
  for (const key of Object.keys(v)) {
    if (root && ROOT_KEEP.has(key)) continue;
    const child = props?.[key];
    if (isObject(child)) walk(v[key], child);
    else if (extra) walk(v[key], extra);
    else if (!preserves(s) && s.additionalProperties !== true) delete v[key];
  }
}
