// `openapi: {path: …}`: a schema file (OpenAPI v2, JSON or YAML) that tells strategic merge which lists of a
// custom resource merge by key. Like kustomize, the first schema met in a build holds for the whole build,
// and it replaces the built-in one: a kind it does not describe has no merge keys (its lists are replaced).
import { RenderError } from '../../errors.ts';
import { getOwn } from '../../own.ts';
import { parseDocument } from '../../yaml.ts';
import { isRecord } from '../resource.ts';
import type { FieldSchema } from './schema-data.ts';

export interface CustomSchema {
  defs: Map<string, Map<string, FieldSchema>>;
  /** `apiVersion|Kind` → definition. */
  kinds: Map<string, string>;
}

/** The one kustomize builds with (kyaml keeps it in a global, set once per build). */
let current: CustomSchema | null = null;

export function setCustomSchema(schema: CustomSchema | null): void {
  current = schema;
}

/** The custom schema in force, if any (null: the built-in one). */
export function customSchema(): CustomSchema | null {
  return current;
}

const REF = '#/definitions/';

function ref(node: unknown): string | undefined {
  const r = isRecord(node) ? getOwn(node, '$ref') : undefined;
  return typeof r === 'string' && r.startsWith(REF) ? r.slice(REF.length) : undefined;
}

/** Parses the `definitions` of a schema; inline object schemas become definitions named by their path. */
export function parseSchema(text: string, file: string): CustomSchema {
  const doc = parseDocument(text, file);
  if (!isRecord(doc)) throw new RenderError(`${file}: an OpenAPI schema must be a mapping`);
  // Without definitions it describes nothing: every list of every kind is then replaced, as in kustomize.
  const found = getOwn(doc, 'definitions');
  const definitions = isRecord(found) ? found : {};
  const out: CustomSchema = { defs: new Map(), kinds: new Map() };
  // A definition's own object schema or the one a field refers to; inline ones get a path as their name.
  const objectOf = (node: unknown, name: string): string | undefined => {
    const r = ref(node);
    if (r) return r;
    if (isRecord(node) && isRecord(getOwn(node, 'properties'))) {
      addDef(name, node);
      return name;
    }
    return undefined;
  };
  const addDef = (name: string, node: Record<string, unknown>): void => {
    if (out.defs.has(name)) return;
    const fields = new Map<string, FieldSchema>();
    out.defs.set(name, fields);
    const props = getOwn(node, 'properties');
    for (const key of isRecord(props) ? Object.keys(props) : []) {
      const p = getOwn(props as object, key);
      if (isRecord(p)) fields.set(key, fieldOf(p, `${name}/${key}`));
    }
  };
  // One property: the object schemas it, its items or its values hold, and its merge keys.
  const fieldOf = (p: Record<string, unknown>, path: string): FieldSchema => {
    const s: FieldSchema = {};
    const object = objectOf(p, path);
    if (object) s.object = object;
    const items = getOwn(p, 'items');
    const element = items === undefined ? undefined : objectOf(items, `${path}[]`);
    if (element) s.element = element;
    const additional = getOwn(p, 'additionalProperties');
    const values = additional === undefined ? undefined : objectOf(additional, `${path}{}`);
    if (values) s.values = values;
    const keys = mergeKeysOf(p);
    if (keys) s.keys = keys;
    return s;
  };
  for (const name of Object.keys(definitions)) {
    const def = getOwn(definitions, name);
    if (!isRecord(def)) continue;
    addDef(name, def);
    const gvks = getOwn(def, 'x-kubernetes-group-version-kind');
    for (const g of Array.isArray(gvks) ? gvks : []) {
      if (!isRecord(g)) continue;
      const group = typeof g.group === 'string' ? g.group : '';
      const version = typeof g.version === 'string' ? g.version : '';
      const kind = typeof g.kind === 'string' ? g.kind : '';
      out.kinds.set(`${group ? `${group}/` : ''}${version}|${kind}`, name);
    }
  }
  return out;
}

/** A list merged by key (patch strategy "merge"): its keys, from the list-map keys or the merge key. */
function mergeKeysOf(p: Record<string, unknown>): string[] | undefined {
  const strategy = getOwn(p, 'x-kubernetes-patch-strategy');
  if (typeof strategy !== 'string' || !strategy.split(',').includes('merge')) return undefined;
  const mapKeys = getOwn(p, 'x-kubernetes-list-map-keys');
  if (Array.isArray(mapKeys)) return mapKeys.map(String);
  const mergeKey = getOwn(p, 'x-kubernetes-patch-merge-key');
  return typeof mergeKey === 'string' && mergeKey ? [mergeKey] : [];
}
