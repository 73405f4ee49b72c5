// Patch targets: group/version/kind/name/namespace as anchored regular expressions, plus label and
// annotation selectors in Kubernetes syntax (`app=web,tier in (a,b),!legacy`).
import { RenderError } from '../errors.ts';
import { type Pattern, re2 } from '../re2.ts';
import { curId, effectiveNamespace, orgId, type Res } from './resource.ts';

export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

type Requirement = (labels: Record<string, string>) => boolean;

const KEY = /^([a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;

/** Parses a Kubernetes label selector; an empty string selects everything. */
export function parseLabelSelector(text: string, where: string): Requirement[] {
  const reqs: Requirement[] = [];
  // Split at commas that are not inside a `( … )` value list.
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') {
      if (text.trim() === '') continue;
      throw new RenderError(`${where}: empty requirement in selector "${text}"`);
    }
    const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    const cmp = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    const exists = /^(!?)\s*([^=!\s()]+)$/.exec(part);
    if (set) {
      const [, key = '', op, list = ''] = set;
      const values = new Set(list.split(',').map((v) => v.trim()));
      checkKey(key, text, where);
      reqs.push(op === 'in' ? (l) => values.has(l[key] as string) : (l) => !values.has(l[key] as string));
    } else if (cmp) {
      const [, key = '', op, value = ''] = cmp;
      checkKey(key, text, where);
      reqs.push(op === '!=' ? (l) => l[key] !== value : (l) => Object.hasOwn(l, key) && l[key] === value);
    } else if (exists) {
      const [, not, key = ''] = exists;
      checkKey(key, text, where);
      reqs.push(not ? (l) => !Object.hasOwn(l, key) : (l) => Object.hasOwn(l, key));
    } else {
      throw new RenderError(`${where}: cannot parse selector "${text}" at "${part}"`);
    }
  }
  return reqs;
}

function checkKey(key: string, text: string, where: string): void {
  if (!KEY.test(key)) throw new RenderError(`${where}: "${key}" in selector "${text}" is not a valid key`);
}

/** A target field as kustomize reads it: the whole value must match (`^(?:…)$`), in RE2 syntax. */
function anchored(pattern: string | undefined, where: string): Pattern | null {
  if (!pattern) return null;
  return re2(`^(?:${pattern})$`, `${where}: target "${pattern}"`);
}

/** The resources a target selects, matching names and namespaces before or after renames, as kustomize. */
export function select(resources: Res[], s: Selector, where: string): Res[] {
  const group = anchored(s.group, where);
  const version = anchored(s.version, where);
  const kind = anchored(s.kind, where);
  const name = anchored(s.name, where);
  const namespace = anchored(s.namespace, where);
  const labels = parseLabelSelector(s.labelSelector ?? '', where);
  const annotations = parseLabelSelector(s.annotationSelector ?? '', where);
  return resources.filter((r) => {
    const cur = curId(r);
    const org = orgId(r);
    if (namespace && !namespace.test(effectiveNamespace(org)) && !namespace.test(effectiveNamespace(cur))) {
      return false;
    }
    if (name && !name.test(org.name) && !name.test(cur.name)) return false;
    if (group && !group.test(cur.gvk.group)) return false;
    if (version && !version.test(cur.gvk.version)) return false;
    if (kind && !kind.test(cur.gvk.kind)) return false;
    const l = (r.obj.metadata.labels ?? {}) as Record<string, string>;
    const a = (r.obj.metadata.annotations ?? {}) as Record<string, string>;
    return labels.every((req) => req(l)) && annotations.every((req) => req(a));
  });
}
