// Strategic merge patch with kustomize's semantics (kyaml merge2): same list keys, same order, same quirks.
//
// Written from a reading of kyaml's walker (yaml/walk, yaml/merge2) and checked against `kubectl kustomize`.
// Behaviour worth knowing, all of it kustomize's: a `null` in the patch deletes the field; `$patch: delete`
// and `$patch: replace` work on maps and lists; merged list items come first, in patch order, followed by
// the items only the target had; lists without a merge key in the schema (and every list of a custom
// resource) are replaced. Values are mutated in place, as kyaml does; callers pass copies.
import { RenderError } from '../../errors.ts';
import { getOwn, setOwn } from '../../own.ts';
import { isRecord } from '../resource.ts';
import { customSchema } from './openapi.ts';
import { type FieldSchema, SCHEMA_DEFS, SCHEMA_KINDS } from './schema-data.ts';

/** Where the walk is in the schema: a definition, a list's merge keys, or known-but-untracked (`{}`). */
interface Schema {
  def?: string;
  keys?: string[];
  element?: string;
  values?: string;
}

/** A null in the target the patch did not touch stays (kyaml keeps explicit nulls). */
const KEEP_NULL = Symbol('keep-null');
type Value = unknown;

function missingOrNull(v: Value): boolean {
  return v === undefined || v === null || v === KEEP_NULL;
}

function isEmptyMap(v: Value): boolean {
  return missingOrNull(v) || (isRecord(v) && Object.keys(v).length === 0);
}

/** A scalar as kyaml compares it: its text. Maps and lists have none. */
function text(v: Value): string {
  if (v === null || v === KEEP_NULL) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return '';
}

function kindOf(v: Value): 'map' | 'list' | 'scalar' {
  return Array.isArray(v) ? 'list' : isRecord(v) ? 'map' : 'scalar';
}

function fieldSchema(f: FieldSchema | undefined): Schema {
  if (!f) return {};
  const s: Schema = {};
  if (f.keys) s.keys = f.keys;
  if (f.object) s.def = f.object;
  if (f.element) s.element = f.element;
  if (f.values) s.values = f.values;
  return s;
}

function field(s: Schema | null, name: string): Schema | null {
  if (!s) return null;
  if (s.values) return { def: s.values };
  if (!s.def) return {};
  const fields = (customSchema()?.defs ?? SCHEMA_DEFS).get(s.def);
  return fieldSchema(fields?.get(name) ?? fields?.get('*'));
}

export function schemaForKind(apiVersion: unknown, kind: unknown): Schema | null {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) return null;
  const def = (customSchema()?.kinds ?? SCHEMA_KINDS).get(`${apiVersion}|${kind}`);
  return def ? { def } : null;
}

type Directive = 'merge' | 'replace' | 'delete';

/** Reads and removes a `$patch` directive from the patch node. */
function directive(patch: Value): Directive {
  if (patch === undefined) return 'merge';
  if (isRecord(patch)) {
    const v = getOwn(patch, '$patch');
    if (v === undefined) return 'merge';
    if (v === 'merge' || v === 'replace' || v === 'delete') {
      delete patch.$patch;
      return v;
    }
    throw new RenderError(`unknown patch strategy "${text(v)}"`);
  }
  if (Array.isArray(patch)) {
    const el = patch.find((e) => isRecord(e) && Object.hasOwn(e, '$patch'));
    if (!isRecord(el) || Object.keys(el).length > 1) return 'merge';
    const v = getOwn(el, '$patch');
    if (v === 'merge' || v === 'replace' || v === 'delete') {
      setElement(patch, null, ['$patch'], [v]);
      return v;
    }
    throw new RenderError(`unknown patch strategy "${text(v)}"`);
  }
  throw new RenderError(`no strategic merge patch strategy for the scalar "${text(patch)}"`);
}

/** kyaml's FieldMatcher: the field's value when present (and equal to `value`, when one is given). */
function matchField(el: Value, key: string, value: string | undefined): Value {
  if (missingOrNull(el)) return undefined;
  if (key === '') {
    if (kindOf(el) !== 'scalar') return undefined;
    return text(el) === (value ?? '') ? el : undefined;
  }
  if (!isRecord(el) || !Object.hasOwn(el, key)) return undefined;
  const v = getOwn(el, key);
  if (value !== undefined && text(v) !== value) return undefined;
  return v === undefined ? undefined : (v ?? KEEP_NULL);
}

/** kyaml's ElementSetter: replace (or delete, with `element` null) the items matching keys=values, in place. */
function setElement(list: Value[], element: Value | null, keys: string[], values: string[]): void {
  const ks = keys.length === 0 ? [''] : keys;
  const mappingSetter = ks[0] !== '' && values.length > 0 && values[0] !== '';
  const out: Value[] = [];
  let found = false;
  for (const el of list) {
    if (isEmptyMap(el)) continue;
    if (!isRecord(el) && mappingSetter) {
      out.push(el);
      continue;
    }
    let val: Value;
    let matches = true;
    for (let j = 0; j < ks.length; j++) {
      // As in kyaml, an empty value only asks for the field to exist.
      if (j < values.length) val = matchField(el, ks[j] as string, values[j] || undefined);
      if (val === undefined) {
        matches = false;
        break;
      }
    }
    if (!matches) {
      if (values.length > 0) out.push(el);
      continue;
    }
    found = true;
    if (element !== null) out.push(element);
  }
  list.splice(0, list.length, ...out);
  if (element !== null && !found) list.push(element);
}

/** kyaml's ElementMatcher: the first map item whose keys have exactly these values. */
function findElement(list: Value, keys: string[], values: string[]): Value {
  if (!Array.isArray(list)) return undefined;
  if (keys.length === 0 || keys[0] === '') return list.find((el) => !isRecord(el) && text(el) === values[0]);
  return list.find(
    (el) => isRecord(el) && keys.every((k, i) => Object.hasOwn(el, k) && text(getOwn(el, k)) === values[i]),
  );
}

function validateKeys(all: string[][], values: string[], keys: string[]): [string[], string[]] {
  const valid = new Set<string>();
  for (const vs of all) {
    vs.forEach((v, i) => {
      if (v !== '') valid.add(keys[i] as string);
    });
  }
  if (valid.size === 0) return [keys, values];
  return [
    keys.filter((k) => valid.has(k)),
    values.filter((v, i) => v !== '' || valid.has(keys[i] as string)),
  ];
}

/** Two key tuples are the same item when they share a value and differ only where one side is empty. */
function mergeValues(list: string[][]): void {
  for (let i = 0; i < list.length; i++) {
    const a = list[i] as string[];
    for (let j = 0; j < list.length; j++) {
      const b = list[j] as string[];
      if (a.length !== b.length) continue;
      let common = false;
      let ok = true;
      const res: string[] = [];
      for (let k = 0; k < a.length; k++) {
        const x = a[k] as string;
        const y = b[k] as string;
        if (x === y) {
          common = true;
          res.push(x);
        } else if (x !== '' && y !== '') {
          ok = false;
          break;
        } else res.push(x !== '' ? x : y);
      }
      if (ok && common) {
        list[i] = res;
        list[j] = res;
      }
    }
  }
}

function fieldValues(el: Value, keys: string[]): string[] {
  return keys.map((k) => {
    const v = isRecord(el) ? getOwn(el, k) : undefined;
    const empty = v === undefined || v === null || v === '' || (isRecord(v) && Object.keys(v).length === 0);
    return empty || (Array.isArray(v) && v.length === 0) ? '' : text(v);
  });
}

/** Merges `origin` (the patch) into `dest`; `undefined` means "remove this field". */
function walk(dest: Value, origin: Value, schema: Schema | null): Value {
  let s = schema;
  if (!s) {
    for (const src of [dest, origin]) {
      if (isRecord(src) && !s) s = schemaForKind(getOwn(src, 'apiVersion'), getOwn(src, 'kind'));
    }
  }
  const present = [dest, origin].filter((v) => !missingOrNull(v));
  const kind = present.length > 0 ? kindOf(present[0]) : 'map';
  for (const v of present) {
    if (kindOf(v) !== kind) throw new RenderError(`cannot merge a ${kindOf(v)} into a ${kind}`);
  }
  if (kind === 'scalar') return origin !== undefined ? origin : dest;
  if (kind === 'list') {
    if (s?.keys === undefined) return origin !== undefined ? origin : dest;
    return walkList(dest, origin, s);
  }
  return walkMap(dest, origin, s);
}

function walkMap(dest: Value, origin: Value, s: Schema | null): Value {
  let d: Value;
  if (missingOrNull(dest)) {
    let ps: Directive = 'merge';
    try {
      ps = directive(origin);
    } catch {
      // kyaml ignores an unreadable directive when there is nothing to merge into.
    }
    if (ps === 'delete') return undefined;
    if (origin === undefined && (dest === null || dest === KEEP_NULL)) return KEEP_NULL;
    d = origin;
  } else {
    if (origin === null) return undefined;
    const ps = directive(origin);
    if (ps === 'delete') return undefined;
    d = ps === 'replace' ? origin : dest;
  }
  if (!isRecord(d)) return d;
  const o = isRecord(origin) ? origin : undefined;
  const names = new Set([...Object.keys(d), ...(o ? Object.keys(o) : [])]);
  for (const name of [...names].sort()) {
    const val = walk(getOwn(d, name), o ? getOwn(o, name) : undefined, field(s, name));
    if (val === undefined || val === null) delete d[name];
    else setOwn(d, name, val === KEEP_NULL ? null : val);
  }
  return d;
}

function walkList(dest: Value, origin: Value, s: Schema): Value {
  let d: Value;
  if (missingOrNull(dest)) d = origin;
  else if (origin === null) return undefined;
  else {
    const ps = directive(origin);
    if (ps === 'delete') return undefined;
    d = ps === 'replace' ? origin : dest;
  }
  if (!Array.isArray(d)) return d;
  const sources = [origin, d]; // patch items first: kustomize prepends what the patch brings
  const keys = s.keys ?? [];
  const elemSchema: Schema | null = s.element ? { def: s.element } : {};
  if (keys.length === 0) return setElements(distinctTexts(sources), [''], d, origin, elemSchema);
  return setElements(distinctKeyValues(sources, keys), keys, d, origin, elemSchema);
}

/** The merge-key values of every element of the lists, each distinct set once, in order. */
function distinctKeyValues(sources: Value[], keys: string[]): string[][] {
  const valuesList: string[][] = [];
  const seen = new Set<string>();
  for (const src of sources) {
    if (!Array.isArray(src)) continue;
    for (const el of src) {
      const vs = fieldValues(el, keys);
      const id = JSON.stringify(vs);
      if (seen.has(id)) continue;
      seen.add(id);
      valuesList.push(vs);
    }
  }
  return valuesList;
}

/** A list without merge keys: each distinct element's text once, in order (the element is its own key). */
function distinctTexts(sources: Value[]): string[][] {
  const valuesList: string[][] = [];
  const seen = new Set<string>();
  for (const src of sources) {
    if (!Array.isArray(src)) continue;
    for (const el of src) {
      const t = text(el);
      if (seen.has(t)) continue;
      seen.add(t);
      valuesList.push([t]);
    }
  }
  return valuesList;
}

function setElements(
  valuesList: string[][],
  keys: string[],
  dest: Value[],
  origin: Value,
  elemSchema: Schema | null,
): Value {
  if (valuesList.length === 0) return dest;
  const items: Value[] = [];
  if (keys.length > 1) mergeValues(valuesList);
  let validKeys: string[] = keys;
  let validValues: string[] = [];
  for (const values of valuesList) {
    if (values.length === 0) continue;
    [validKeys, validValues] = validateKeys(valuesList, values, keys);
    const [k2, v2] = validateKeys([values], values, keys);
    const val = walk(findElement(dest, k2, v2), findElement(origin, k2, v2), elemSchema);
    if (missingOrNull(val) || isEmptyMap(val)) {
      setElement(dest, null, validKeys, validValues);
      continue;
    }
    validKeys.forEach((key, i) => {
      const v = validValues[i] as string;
      if (key !== '' && isRecord(val) && !Object.hasOwn(val, key) && v !== '') setOwn(val, key, v);
    });
    setElement(items, val, validKeys, validValues);
  }
  // The target's items go after the patch's, replacing the ones already there by key.
  for (const el of [...dest]) {
    if (validKeys[0] === '') {
      setElement(items, el, [''], [text(el)]);
      continue;
    }
    const v: string[] = [];
    for (const key of validKeys) {
      const fv = matchField(el, key, undefined);
      if (fv === undefined) {
        items.push(el);
        continue;
      }
      v.push(text(fv));
    }
    if (validKeys.length > 1) setElement(items, null, validKeys, v);
    setElement(items, el, validKeys, v);
  }
  return items;
}

/**
 * Applies a strategic merge patch to `target` (both are modified). Returns the merged object, or null when
 * the patch deleted it (`$patch: delete`).
 */
export function strategicMerge(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> | null {
  const out = walk(target, patch, null);
  return isRecord(out) ? out : null;
}
