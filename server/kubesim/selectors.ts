// Label and field selectors as list and watch accept them (`app=web,tier!=db`, `env in (a,b)`, `!legacy`).
import { badRequest } from './errors.ts';
import { isObject, str } from './util.ts';

type Requirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'eq' | 'neq'; key: string; value: string };

export type Matcher = (labels: Record<string, string>) => boolean;

/** Splits on commas that are not inside a `( … )` value set. */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

function parseRequirement(term: string, raw: string): Requirement {
  let m = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (m) {
    const values = (m[3] ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    return { op: m[2] === 'in' ? 'in' : 'notin', key: check(m[1] ?? '', raw), values };
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (m) return { op: m[2] === '!=' ? 'neq' : 'eq', key: check(m[1] ?? '', raw), value: m[3] ?? '' };
  m = /^!\s*(\S+)$/.exec(term);
  if (m) return { op: 'notexists', key: check(m[1] ?? '', raw) };
  if (KEY.test(term)) return { op: 'exists', key: term };
  throw badRequest(`unable to parse requirement: found '${term}', expected: identifier`);
}

function check(key: string, raw: string): string {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${raw}"`);
  return key;
}

export function parseLabelSelector(raw: string | null): Matcher {
  if (!raw) return () => true;
  const reqs = splitTop(raw).map((t) => parseRequirement(t, raw));
  return (labels) =>
    reqs.every((r) => {
      const has = Object.hasOwn(labels, r.key);
      const v = labels[r.key];
      switch (r.op) {
        case 'exists':
          return has;
        case 'notexists':
          return !has;
        case 'eq':
          return has && v === r.value;
        case 'neq':
          return !has || v !== r.value;
        case 'in':
          return has && r.values.includes(v ?? '');
        case 'notin':
          return !has || !r.values.includes(v ?? '');
      }
      return false;
    });
}

export type ObjectMatcher = (o: unknown) => boolean;

/** Field selectors: metadata.name / metadata.namespace for every kind, plus a few kind-specific fields. */
export function parseFieldSelector(raw: string | null): ObjectMatcher {
  if (!raw) return () => true;
  const reqs = splitTop(raw).map((term) => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${raw}'; can't understand '${term}'`);
    return { field: m[1] ?? '', neq: m[2] === '!=', value: m[3] ?? '' };
  });
  return (o) =>
    reqs.every((r) => {
      const v = fieldValue(o, r.field);
      return r.neq ? v !== r.value : v === r.value;
    });
}

function fieldValue(o: unknown, path: string): string {
  let cur: unknown = o;
  for (const part of path.split('.')) cur = isObject(cur) ? cur[part] : undefined;
  return str(cur) ?? (typeof cur === 'number' || typeof cur === 'boolean' ? String(cur) : '');
}

export function labelsOf(o: unknown): Record<string, string> {
  const meta = isObject(o) ? o.metadata : undefined;
  const labels = isObject(meta) ? meta.labels : undefined;
  return isObject(labels) ? (labels as Record<string, string>) : {};
}

/** matchLabels + matchExpressions of a metav1.LabelSelector. */
export function selectorMatcher(sel: unknown): Matcher {
  if (!isObject(sel)) return () => false;
  const ml = isObject(sel.matchLabels) ? (sel.matchLabels as Record<string, string>) : {};
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions.filter(isObject) : [];
  return (labels) =>
    Object.entries(ml).every(([k, v]) => labels[k] === v) &&
    exprs.every((e) => {
      const key = String(e.key ?? '');
      const values = Array.isArray(e.values) ? e.values.map(String) : [];
      const has = Object.hasOwn(labels, key);
      switch (e.operator) {
        case 'In':
          return has && values.includes(labels[key] ?? '');
        case 'NotIn':
          return !has || !values.includes(labels[key] ?? '');
        case 'Exists':
          return has;
        case 'DoesNotExist':
          return !has;
        default:
          return false;
      }
    });
}
