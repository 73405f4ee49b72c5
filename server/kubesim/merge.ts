// Structured merge as server-side apply does it: maps recurse, keyed lists merge by key, the rest is replaced.
import { type FieldSet, join, listElement, ownsUnder, SEP, split } from './fieldset.ts';
import type { Schema } from './schema.ts';
import { clone, isObject, type JsonObject } from './util.ts';

export function mergeValue(live: unknown, config: unknown, s: Schema): unknown {
  if (config === undefined) return clone(live);
  if (isObject(config) && isObject(live) && s.objectType() !== 'atomic') {
    const out: JsonObject = clone(live);
    for (const [k, v] of Object.entries(config)) out[k] = mergeValue(live[k], v, s.field(k));
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live)) {
    const info = s.list();
    if (info.type === 'atomic') return clone(config);
    return mergeList(live, config, (item, i) => listElement(item, i, info), s.item(), info.type === 'map');
  }
  return clone(config);
}

/**
 * Interleaves live and config items the way structured-merge-diff does: items both sides share follow the
 * config's order, items only live has stay where they were, new config items land at their config position.
 */
function mergeList(
  live: unknown[],
  config: unknown[],
  keyOf: (item: unknown, i: number) => string,
  itemSchema: Schema,
  recurse: boolean,
): unknown[] {
  const lKeys = live.map(keyOf);
  const rKeys = config.map(keyOf);
  const lByKey = new Map(lKeys.map((k, i) => [k, live[i]]));
  const rByKey = new Map(rKeys.map((k, i) => [k, config[i]]));
  const shared = rKeys.filter((k) => lByKey.has(k));
  let nextShared = shared.shift();
  const merged = new Set<string>();
  const out: unknown[] = [];
  const mergeItem = (k: string) => {
    const l = lByKey.get(k);
    const r = rByKey.get(k);
    if (r === undefined) return clone(l);
    return recurse && l !== undefined ? mergeValue(l, r, itemSchema) : clone(r);
  };
  let li = 0;
  let ri = 0;
  while (li < lKeys.length || ri < rKeys.length) {
    const lk = lKeys[li];
    const rk = rKeys[ri];
    if (lk !== undefined && rk !== undefined) {
      if (lk === rk) {
        merged.add(lk);
        out.push(mergeItem(lk));
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (rByKey.has(lk) && nextShared !== undefined && nextShared !== lk) {
        li++;
        continue;
      }
    }
    if (lk !== undefined) {
      if (!rByKey.has(lk)) {
        out.push(clone(live[li]));
        li++;
        continue;
      }
      if (merged.has(lk)) {
        li++;
        continue;
      }
    }
    if (rk !== undefined) {
      merged.add(rk);
      out.push(mergeItem(rk));
      ri++;
      if (nextShared === rk) nextShared = shared.shift();
    } else {
      li++;
    }
  }
  return out;
}

/**
 * Removes from `o` what the applier owned last time and nobody owns now. A path stays when anyone still owns
 * it or something beneath it; key fields of list items stay with their item. Maps and lists emptied by the
 * removal go too unless owned, as Go's omitempty would drop them.
 */
export function prune(o: JsonObject, lastSet: FieldSet, owned: FieldSet, schema: Schema): void {
  const doomed = [...lastSet]
    .filter((p) => !ownsUnder(owned, p))
    .sort((a, b) => split(a).length - split(b).length);
  for (const p of doomed) removePath(o, split(p), schema, owned);
}

function removePath(root: JsonObject, els: string[], schema: Schema, owned: FieldSet): void {
  const trail: { container: unknown; schema: Schema; el: string }[] = [];
  let cur: unknown = root;
  let s = schema;
  for (let i = 0; i < els.length; i++) {
    const el = els[i] as string;
    trail.push({ container: cur, schema: s, el });
    if (i === els.length - 1) break;
    const next = step(cur, el, s);
    if (!next) return;
    cur = next.value;
    s = next.schema;
  }
  const lastEl = els[els.length - 1] as string;
  const parent = trail[trail.length - 1];
  if (!parent) return;
  const prevEl = els[els.length - 2];
  if (lastEl.startsWith('f:') && prevEl?.startsWith('k:')) {
    const key = JSON.parse(prevEl.slice(2)) as Record<string, unknown>;
    if (lastEl.slice(2) in key) return;
  }
  if (!deleteAt(parent.container, lastEl, parent.schema)) return;
  for (let i = trail.length - 1; i > 0; i--) {
    const t = trail[i] as (typeof trail)[number];
    const empty = Array.isArray(t.container)
      ? t.container.length === 0
      : isObject(t.container) && Object.keys(t.container).length === 0;
    const containerPath = join(els.slice(0, i));
    if (!empty || owned.has(containerPath)) return;
    const up = trail[i - 1] as (typeof trail)[number];
    deleteAt(up.container, up.el, up.schema);
  }
}

function step(container: unknown, el: string, s: Schema): { value: unknown; schema: Schema } | undefined {
  if (el.startsWith('f:') && isObject(container)) {
    const name = el.slice(2);
    return name in container ? { value: container[name], schema: s.field(name) } : undefined;
  }
  if (Array.isArray(container)) {
    const info = s.list();
    const idx = container.findIndex((item, i) => listElement(item, i, info) === el);
    return idx >= 0 ? { value: container[idx], schema: s.item() } : undefined;
  }
  return undefined;
}

function deleteAt(container: unknown, el: string, s: Schema): boolean {
  if (el.startsWith('f:') && isObject(container)) {
    const name = el.slice(2);
    if (!(name in container)) return false;
    delete container[name];
    return true;
  }
  if (Array.isArray(container)) {
    const info = s.list();
    const idx = container.findIndex((item, i) => listElement(item, i, info) === el);
    if (idx < 0) return false;
    container.splice(idx, 1);
    return true;
  }
  return false;
}

/** Only the part of a path set at or under `prefix` (e.g. everything in `f:status`). */
export function under(set: FieldSet, prefix: string): FieldSet {
  const out: FieldSet = new Set();
  for (const p of set) if (p === prefix || p.startsWith(prefix + SEP)) out.add(p);
  return out;
}
