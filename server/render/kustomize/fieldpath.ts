// Dotted field paths as kustomize's replacements (and vars' field refs) read them (kyaml's PathGetter and
// PathMatcher): `spec.containers.[name=app].image`, `spec.ports.0.port`, `spec.*.name`, `[a.b/c]` for a key
// with dots.
import { RenderError } from '../errors.ts';
import { getOwn, setOwn } from '../own.ts';
import { type Pattern, re2 } from '../re2.ts';
import { goNumber } from '../yaml.ts';
import { isRecord } from './resource.ts';

/**
 * Splits at `.` (a `\.` stays a dot); a bracketed part may contain dots. `[key.with.dots]` is that key;
 * `[name=value]` stays an element selector.
 */
export function splitFieldPath(path: string): string[] {
  const raw = path.split('.');
  if (raw.length > 1 && raw[0] === '') raw.shift();
  const parts: string[] = [];
  for (const p of raw) {
    const last = parts.length - 1;
    if (last >= 0 && (parts[last] as string).endsWith('\\'))
      parts[last] = `${parts[last]?.slice(0, -1)}.${p}`;
    else parts.push(p);
  }
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const elem = parts[i] as string;
    if (!elem.startsWith('[') || elem.endsWith(']')) {
      out.push(elem);
      continue;
    }
    const bracketed = [elem];
    while (i < parts.length - 1) {
      i++;
      bracketed.push(parts[i] as string);
      if ((parts[i] as string).endsWith(']')) break;
    }
    const joined = bracketed.join('.');
    out.push(joined.includes('=') ? joined : joined.replace(/^\[+|\]+$/g, ''));
  }
  return out;
}

const isIndex = (p: string) => /^[+-]?[0-9]+$/.test(p) && Number(p) >= 0;
const isSelector = (p: string) => p.startsWith('[') && p.endsWith(']');

function splitSelector(part: string, where: string): [string, string] {
  const body = part.slice(1, -1);
  const eq = body.indexOf('=');
  if (eq < 0) {
    throw new RenderError(
      `${where}: list path element "${part}" must contain fieldName=fieldValue for element to match`,
    );
  }
  return [body.slice(0, eq), body.slice(eq + 1)];
}

/** A scalar as its YAML text (what kustomize compares and copies: the node's value, without its tag). */
export function scalarText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return '';
  return String(v);
}

/** A plain scalar's value as go-yaml resolves it (a created field has no tag, so `3` becomes a number). */
export function resolveScalar(s: string): unknown {
  if (s === 'true' || s === 'True' || s === 'TRUE') return true;
  if (s === 'false' || s === 'False' || s === 'FALSE') return false;
  if (s === 'null' || s === 'Null' || s === 'NULL' || s === '~') return null;
  return goNumber(s) ?? s;
}

/** The value at `path` (PathGetter: exact `[k=v]` match, first one; no wildcards), or undefined. */
export function lookup(root: unknown, path: string, where: string): unknown {
  let node = root;
  for (const part of splitFieldPath(path)) {
    if (node === null || node === undefined) return undefined;
    if (isIndex(part)) {
      node = Array.isArray(node) ? node[Number(part)] : undefined;
    } else if (part === '*') {
      throw new RenderError(`${where}: wildcard is not supported in "${path}"`);
    } else if (isSelector(part)) {
      const [key, value] = splitSelector(part, where);
      if (!Array.isArray(node)) return undefined;
      node = node.find((el) =>
        key === '' ? scalarText(el) === value : isRecord(el) && scalarText(getOwn(el, key)) === value,
      );
    } else {
      node = isRecord(node) ? getOwn(node, part) : undefined;
    }
  }
  return node;
}

/** One field a target path reached: its value (undefined when just created) and how to replace it. */
export interface Slot {
  value: unknown;
  created: boolean;
  set(v: unknown): void;
}

/** What a missing field is created as, at the end of the path (the source value's kind), or 'none'. */
export type Create = 'none' | 'scalar' | 'map' | 'seq';

const patterns = new Map<string, Pattern>();
function pattern(source: string, where: string): Pattern {
  let p = patterns.get(source);
  if (!p) {
    p = re2(source, `${where}: "[${source}]"`);
    if (patterns.size >= 1_000) patterns.clear();
    patterns.set(source, p);
  }
  return p;
}

function fresh(next: string | undefined, create: Create): unknown {
  if (next !== undefined && (isSelector(next) || isIndex(next))) return [];
  if (next !== undefined) return {};
  return create === 'map' ? {} : create === 'seq' ? [] : undefined;
}

function mustBeList(node: unknown, part: string, where: string): unknown[] {
  if (!Array.isArray(node)) {
    throw new RenderError(`${where}: "${part}" needs a list, found ${node === null ? 'null' : typeof node}`);
  }
  return node;
}

/**
 * Every field `path` reaches (PathMatcher): `[k=v]` keeps the elements whose `k` matches the RE2 pattern `v`
 * anywhere (as kustomize: unanchored), `*` every element, a number one element. With `create`, missing
 * fields and a missing `[k=v]` element are added.
 */
export function matchFields(root: unknown, path: string, create: Create, where: string): Slot[] {
  const out: Slot[] = [];
  const parts = splitFieldPath(path);
  const visit = (node: unknown, i: number, slot: Slot): void => {
    const part = parts[i];
    if (part === undefined) out.push(slot);
    else if (isIndex(part)) visitIndex(node, i, part);
    else if (part === '*') {
      const list = mustBeList(node, part, where);
      list.forEach((el, j) => {
        visit(el, i + 1, elementSlot(list, j, false));
      });
    } else if (isSelector(part)) visitSelector(node, i, part);
    else visitField(node, i, part, slot);
  };
  // A number: that element, appended when it is the next one and fields are created.
  const visitIndex = (node: unknown, i: number, part: string): void => {
    const list = mustBeList(node, part, where);
    const idx = Number(part);
    if (list.length === idx && create !== 'none') list.push(fresh(parts[i + 1], create));
    if (list.length < idx + 1) {
      throw new RenderError(`${where}: index ${idx} specified but only ${list.length} elements found`);
    }
    visit(list[idx], i + 1, elementSlot(list, idx, false));
  };
  // `[k=v]`: every element that matches, or (creating) a new one that does.
  const visitSelector = (node: unknown, i: number, part: string): void => {
    const list = mustBeList(node, part, where);
    const [key, value] = splitSelector(part, where);
    const re = pattern(value, where);
    const before = out.length;
    let matched = false;
    list.forEach((el, j) => {
      if (key === '') {
        // A scalar element is the match itself; the rest of the path is not followed (kustomize's rule).
        if (!isRecord(el) && !Array.isArray(el) && re.test(scalarText(el).trim())) {
          matched = true;
          out.push(elementSlot(list, j, false));
        }
        return;
      }
      if (!isRecord(el)) return;
      const v = getOwn(el, key);
      if (v === undefined || v === null || !re.test(scalarText(v).trim())) return;
      matched = true;
      visit(el, i + 1, elementSlot(list, j, false));
    });
    if (matched || out.length > before || create === 'none') return;
    list.push(selectorElement(key, value, re, part, where));
    visit(list, i, { value: list, created: false, set() {} });
  };
  // A field name: the field of a mapping, created (with the mapping itself, when null) if asked.
  const visitField = (node: unknown, i: number, part: string, slot: Slot): void => {
    const next = parts[i + 1];
    if (node === null || node === undefined) {
      if (create === 'none') return;
      const map = {};
      slot.set(map);
      node = map;
    }
    if (!isRecord(node)) return;
    let field = getOwn(node, part);
    let created = false;
    if (field === undefined || (field === null && next !== undefined)) {
      if (create === 'none') return;
      field = fresh(next, create);
      created = true;
      setOwn(node, part, field, where);
    }
    const map = node;
    visit(field, i + 1, {
      value: field,
      created,
      set(v) {
        setOwn(map, part, v, where);
      },
    });
  };
  visit(root, 0, { value: root, created: false, set() {} });
  return out;
}

/** The element a `[k=v]` selector creates when none matches: the value itself (`k` empty) or `{k: v}`. */
function selectorElement(key: string, value: string, re: Pattern, part: string, where: string): unknown {
  let elem: unknown = resolveScalar(value);
  if (key !== '') {
    elem = {};
    setOwn(elem as object, key, resolveScalar(value), where);
  }
  // The new element must match its own pattern (`[name=a+]` does not): kustomize would recurse for ever.
  if (!re.test(scalarText(key === '' ? elem : getOwn(elem as object, key)).trim())) {
    throw new RenderError(
      `${where}: cannot create an element for "${part}": its value does not match itself`,
    );
  }
  return elem;
}

function elementSlot(list: unknown[], i: number, created: boolean): Slot {
  return {
    value: list[i],
    created: created || list[i] === undefined,
    set(v) {
      list[i] = v;
    },
  };
}
