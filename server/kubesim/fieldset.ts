// Field sets as server-side apply sees them: paths like f:spec/f:replicas, their FieldsV1 form, and diffs.
import { itemKey, type Schema } from './schema.ts';
import { deepEqual, isObject, type JsonObject } from './util.ts';

/** A path is its elements joined by SEP; JSON-encoded keys never contain a raw newline. */
export const SEP = '\n';

export type FieldSet = Set<string>;

export interface FieldEntry {
  value: unknown;
  /** Scalars and atomic values: compared by value. Map entries and list items with children are not. */
  leaf: boolean;
  /**
   * A map-typed field (labels, annotations…) under a struct: not part of an applied set, but an update that
   * creates or deletes the whole map changes it, so updaters own it (the `.` entry) like the real server.
   */
  implicit?: boolean;
}

export function join(elements: string[]): string {
  return elements.join(SEP);
}

export function split(path: string): string[] {
  return path === '' ? [] : path.split(SEP);
}

/** Every field path of `value` (a struct at the root), with the value found there. */
export function fieldEntries(value: unknown, schema: Schema): Map<string, FieldEntry> {
  const out = new Map<string, FieldEntry>();
  if (isObject(value)) walkObject(value, schema, [], out);
  return out;
}

export function toFieldSet(value: unknown, schema: Schema): FieldSet {
  const out: FieldSet = new Set();
  for (const [p, e] of fieldEntries(value, schema)) if (!e.implicit) out.add(p);
  return out;
}

function walkObject(o: JsonObject, schema: Schema, prefix: string[], out: Map<string, FieldEntry>): void {
  const declared = schema.objectType() === 'struct';
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    const path = [...prefix, `f:${k}`];
    const s = schema.field(k);
    visit(v, s, path, out);
    if (isObject(v) && s.objectType() !== 'atomic') {
      const empty = Object.keys(v).length === 0;
      if (empty || !declared) out.set(join(path), { value: v, leaf: empty });
      else if (s.objectType() === 'map') out.set(join(path), { value: v, leaf: false, implicit: true });
    } else if (Array.isArray(v) && s.list().type !== 'atomic' && !declared) {
      out.set(join(path), { value: v, leaf: false });
    }
  }
}

function visit(v: unknown, s: Schema, path: string[], out: Map<string, FieldEntry>): void {
  if (Array.isArray(v)) {
    const info = s.list();
    if (info.type === 'atomic') {
      out.set(join(path), { value: v, leaf: true });
      return;
    }
    v.forEach((item, i) => {
      const el = listElement(item, i, info);
      const ip = [...path, el];
      if (info.type === 'map' && isObject(item)) walkObject(item, s.item(), ip, out);
      out.set(join(ip), { value: item, leaf: info.type === 'set' || !isObject(item) });
    });
    return;
  }
  if (isObject(v)) {
    if (s.objectType() === 'atomic') out.set(join(path), { value: v, leaf: true });
    else walkObject(v, s, path, out);
    return;
  }
  out.set(join(path), { value: v, leaf: true });
}

export function listElement(item: unknown, index: number, info: { type: string; keys?: string[] }): string {
  if (info.type === 'set') return `v:${JSON.stringify(item)}`;
  const key = itemKey(item, info as Parameters<typeof itemKey>[1]);
  if (key && Object.keys(key).length > 0) return `k:${JSON.stringify(key)}`;
  return `i:${index}`;
}

export interface Comparison {
  added: FieldSet;
  removed: FieldSet;
  modified: FieldSet;
}

export function compare(before: unknown, after: unknown, schema: Schema): Comparison {
  const a = fieldEntries(before, schema);
  const b = fieldEntries(after, schema);
  const added: FieldSet = new Set();
  const removed: FieldSet = new Set();
  const modified: FieldSet = new Set();
  for (const [p, eb] of b) {
    const ea = a.get(p);
    if (!ea) added.add(p);
    else if (eb.implicit || ea.implicit) continue;
    else if ((ea.leaf || eb.leaf) && !deepEqual(ea.value, eb.value)) modified.add(p);
  }
  for (const p of a.keys()) if (!b.has(p)) removed.add(p);
  return { added, removed, modified };
}

export function union(...sets: FieldSet[]): FieldSet {
  const out: FieldSet = new Set();
  for (const s of sets) for (const p of s) out.add(p);
  return out;
}

export function difference(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = new Set();
  for (const p of a) if (!b.has(p)) out.add(p);
  return out;
}

export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = new Set();
  for (const p of a) if (b.has(p)) out.add(p);
  return out;
}

export function setsEqual(a: FieldSet, b: FieldSet): boolean {
  return a.size === b.size && [...a].every((p) => b.has(p));
}

/** True when some member of `set` is `path` itself or lies under it. */
export function ownsUnder(set: FieldSet, path: string): boolean {
  if (set.has(path)) return true;
  const prefix = path + SEP;
  for (const p of set) if (p.startsWith(prefix)) return true;
  return false;
}

interface Node {
  member: boolean;
  children: Map<string, Node>;
}

export function toFieldsV1(set: FieldSet): JsonObject {
  const root: Node = { member: false, children: new Map() };
  for (const p of set) {
    let n = root;
    for (const el of split(p)) {
      let c = n.children.get(el);
      if (!c) {
        c = { member: false, children: new Map() };
        n.children.set(el, c);
      }
      n = c;
    }
    n.member = true;
  }
  return render(root);
}

const ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function render(n: Node): JsonObject {
  const out: JsonObject = {};
  if (n.member && n.children.size > 0) out['.'] = {};
  const keys = [...n.children.keys()].sort((x, y) => {
    const d = (ORDER[x[0] ?? ''] ?? 9) - (ORDER[y[0] ?? ''] ?? 9);
    return d !== 0 ? d : x < y ? -1 : x > y ? 1 : 0;
  });
  for (const k of keys) {
    const c = n.children.get(k);
    if (c) out[k] = render(c);
  }
  return out;
}

export function fromFieldsV1(fields: unknown): FieldSet {
  const out: FieldSet = new Set();
  const walk = (node: unknown, prefix: string[]) => {
    if (!isObject(node)) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '.') {
        if (prefix.length > 0) out.add(join(prefix));
        continue;
      }
      const p = [...prefix, k];
      if (isObject(v) && Object.keys(v).length > 0) walk(v, p);
      else out.add(join(p));
    }
  };
  walk(fields, []);
  return out;
}

/** `.spec.template.spec.containers[name="app"].image`, as conflict messages print a path. */
export function pathString(path: string): string {
  return split(path)
    .map((el) => {
      const body = el.slice(2);
      switch (el[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.entries(key)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}
