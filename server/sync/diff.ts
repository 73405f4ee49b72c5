// Field-level differences between two sets of rendered objects, for people: object by object, path by path.
import type { KubeObject } from '../cluster/types.ts';
import { diffHider, HIDDEN } from './redact.ts';

export interface FieldChange {
  path: string;
  /** Absent on one side: undefined. */
  before?: unknown;
  after?: unknown;
  /** A Secret's or an env variable's value: before/after say only HIDDEN (see redact.ts). */
  hidden?: true;
}

export interface ObjectDiff {
  key: string;
  kind: string;
  namespace: string | null;
  name: string;
  change: 'added' | 'removed' | 'changed';
  fields: FieldChange[];
}

export interface ObjectsDiff {
  objects: ObjectDiff[];
  unchanged: number;
}

/** kind + namespace/name: an apiVersion bump of the same object is a change, not a remove and an add. */
export function objectKey(o: KubeObject): string {
  const ns = o.metadata.namespace;
  return `${o.kind} ${ns ? `${ns}/` : ''}${o.metadata.name}`;
}

type Json = unknown;
const isMap = (v: Json): v is Record<string, Json> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Lists of named things (containers, env, ports, volumes) are matched by name, not position. */
function named(list: Json[]): Map<string, Json> | null {
  const m = new Map<string, Json>();
  for (const item of list) {
    if (!isMap(item) || typeof item.name !== 'string' || m.has(item.name)) return null;
    m.set(item.name, item);
  }
  return m;
}

/** Leaf paths where `a` and `b` differ, with both values. */
export function fieldChanges(a: Json, b: Json, path = ''): FieldChange[] {
  if (a === b) return [];
  if (isMap(a) && isMap(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    // Own keys only: a field named `constructor` or `toString` is data, not what every object inherits.
    const own = (r: Record<string, Json>, k: string) => (Object.hasOwn(r, k) ? r[k] : undefined);
    return keys.flatMap((k) => fieldChanges(own(a, k), own(b, k), path ? `${path}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const na = named(a);
    const nb = named(b);
    if (na && nb) {
      const keys = [...new Set([...na.keys(), ...nb.keys()])];
      return keys.flatMap((k) => fieldChanges(na.get(k), nb.get(k), `${path}[${k}]`));
    }
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    const out: FieldChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++)
      out.push(...fieldChanges(a[i], b[i], `${path}[${i}]`));
    return out;
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const change: FieldChange = { path: path || '.' };
  if (a !== undefined) change.before = a;
  if (b !== undefined) change.after = b;
  return [change];
}

/** Object by object; Secret and env values are compared but never returned (only that they changed). */
export function diffObjects(from: KubeObject[], to: KubeObject[]): ObjectsDiff {
  const hide = diffHider();
  const before = new Map(from.map((o) => [objectKey(o), hide.object(o)]));
  const after = new Map(to.map((o) => [objectKey(o), hide.object(o)]));
  const objects: ObjectDiff[] = [];
  let unchanged = 0;
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const key of keys) {
    const a = before.get(key);
    const b = after.get(key);
    const o = (b ?? a) as KubeObject;
    const base = { key, kind: o.kind, namespace: o.metadata.namespace ?? null, name: o.metadata.name };
    if (!a) objects.push({ ...base, change: 'added', fields: [] });
    else if (!b) objects.push({ ...base, change: 'removed', fields: [] });
    else {
      const fields = hide.reveal(fieldChanges(a, b));
      if (fields.length === 0) unchanged++;
      else objects.push({ ...base, change: 'changed', fields });
    }
  }
  return { objects, unchanged };
}

/** Field by field, one object's old and new form; Secret and env values hidden as in `diffObjects`. */
export function objectChanges(before: KubeObject, after: KubeObject): FieldChange[] {
  const hide = diffHider();
  return hide.reveal(fieldChanges(hide.object(before), hide.object(after)));
}

/** One change as `path: old → new` (or what happened to a hidden value), for a terminal. */
export function changeLine(f: FieldChange, max = 200): string {
  const hidden = hiddenChange(f);
  if (hidden) return `${f.path}: ${hidden} (value hidden)`;
  const side = (v: unknown) => (v === undefined ? '(none)' : showValue(v, max));
  return `${f.path}: ${side(f.before)} → ${side(f.after)}`;
}

/** A value as one short line (or a block for multi-line strings), for pages and the support bundle. */
export function showValue(v: unknown, max = 2_000): string {
  if (v === undefined) return '';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/**
 * For a hidden value itself (not an object holding some): 'added', 'removed' or 'changed' — all a page or the
 * support bundle says about it. Null for other changes, whose values are shown (with HIDDEN inside).
 */
export function hiddenChange(f: FieldChange): 'added' | 'removed' | 'changed' | null {
  const leaf = (v: unknown) => v === undefined || v === HIDDEN;
  if (!f.hidden || !leaf(f.before) || !leaf(f.after)) return null;
  return f.before === undefined ? 'added' : f.after === undefined ? 'removed' : 'changed';
}

/** Plain-text rendering: what `diff -u` would tell a support engineer, field by field. */
export function diffText(d: ObjectsDiff): string {
  const lines: string[] = [];
  for (const o of d.objects) {
    lines.push(`${o.change === 'added' ? '+' : o.change === 'removed' ? '-' : '~'} ${o.key}`);
    for (const f of o.fields) {
      const hidden = hiddenChange(f);
      if (hidden) {
        lines.push(`    ~ ${f.path}: ${hidden} (value hidden)`);
        continue;
      }
      if (f.before !== undefined) lines.push(`    - ${f.path}: ${showValue(f.before)}`);
      if (f.after !== undefined) lines.push(`    + ${f.path}: ${showValue(f.after)}`);
    }
  }
  lines.push(`(${d.unchanged} unchanged)`);
  return `${lines.join('\n')}\n`;
}
