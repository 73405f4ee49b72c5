// `vars` (deprecated in kustomize, still common): `$(NAME)` in the varReference fields becomes a field of the
// object the var names, read once the whole build is done (after hashes and name references).
import { RenderError } from '../errors.ts';
import { getOwn, setOwn } from '../own.ts';
import type { Reader } from './check.ts';
import { lookup } from './fieldpath.ts';
import { applyFieldSpec, type FieldSpec } from './fieldspec.ts';
import {
  allIds,
  describe,
  effectiveNamespace,
  isClusterScoped,
  isRecord,
  parseApiVersion,
  type Res,
} from './resource.ts';

export interface Var {
  name: string;
  objref: { group: string; version: string; kind: string; name: string; namespace: string };
  fieldpath: string;
  /** The kustomization declaring it: every message names it. */
  file: string;
}

export function readVar(r: Reader): Var {
  r.fields(['name', 'objref', 'fieldref']);
  const o = r.at('objref');
  o.fields(['apiVersion', 'group', 'version', 'kind', 'name', 'namespace']);
  const apiVersion = o.at('apiVersion').string();
  const gv = apiVersion
    ? parseApiVersion(apiVersion)
    : { group: o.at('group').string() ?? '', version: o.at('version').string() ?? '' };
  const f = r.at('fieldref');
  f.fields(['fieldpath', 'fieldPath']);
  return {
    name: r.at('name').requiredString(),
    objref: {
      ...gv,
      kind: o.at('kind').string() ?? '',
      name: o.at('name').string() ?? '',
      namespace: o.at('namespace').string() ?? '',
    },
    fieldpath: f.at('fieldpath').string() || 'metadata.name',
    file: r.file,
  };
}

/**
 * A kustomization's vars join the set (a name seen twice fails), and each is pinned to the one object its
 * objref names now, by any name that object has had (kustomize's MergeVars).
 */
export function declareVars(list: Res[], vars: Var[], set: Map<string, Var>): void {
  for (const v of vars) {
    const { objref: ref } = v;
    const clusterScoped = isClusterScoped(ref.group ? `${ref.group}/${ref.version}` : ref.version, ref.kind);
    const matched = list.filter((r) =>
      allIds(r).some(
        (id) =>
          id.gvk.group === ref.group &&
          id.gvk.version === ref.version &&
          id.gvk.kind === ref.kind &&
          id.name === ref.name &&
          (ref.namespace === '' && !clusterScoped
            ? true
            : effectiveNamespace(id) ===
              effectiveNamespace({ gvk: id.gvk, name: '', namespace: ref.namespace, clusterScoped })),
      ),
    );
    if (matched.length > 1) {
      throw new RenderError(
        `${v.file}: found ${matched.length} resId matches for var ${v.name} (unable to disambiguate): ${matched.map((r) => describe(r.obj)).join(', ')}`,
      );
    }
    const [one] = matched;
    if (one) one.vars = [...(one.vars ?? []), v.name];
  }
  mergeVarSets(set, vars);
}

export function mergeVarSets(set: Map<string, Var>, incoming: Iterable<Var>): void {
  for (const v of incoming) {
    const seen = set.get(v.name);
    if (seen) throw new RenderError(`${v.file}: var '${v.name}' already encountered (in ${seen.file})`);
    set.set(v.name, v);
  }
}

type Value = string | number | boolean;

function varValue(v: Var, list: Res[]): unknown {
  const r = list.find((x) => x.vars?.includes(v.name));
  if (!r)
    throw new RenderError(
      `${v.file}: var '${v.name}' cannot be mapped to a field in the set of known resources`,
    );
  // `ports[0]` is `ports.0`, as kustomize reads a var's fieldpath.
  const path = v.fieldpath.replace(/\[(\d+)\](?=\.|$)/g, '.$1');
  const value = lookup(r.obj, path, `${v.file}: var ${v.name}`);
  if (value === undefined || value === null) {
    throw new RenderError(
      `${v.file}: field "${v.fieldpath}" of var '${v.name}' not found in ${describe(r.obj)}`,
    );
  }
  return value;
}

/** `$(NAME)` expanded in `s`; `$$` is a literal `$`; a string that is only `$(NAME)` takes the value's type. */
export function expand(s: string, values: Map<string, Value>, used: Set<string>): unknown {
  let out = '';
  let checkpoint = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$' || i + 1 >= s.length) continue;
    out += s.slice(checkpoint, i);
    const next = s[i + 1];
    let advance = 1;
    if (next === '$') out += '$';
    else if (next === '(') {
      const close = s.indexOf(')', i + 2);
      if (close < 0) out += '$(';
      else {
        const name = s.slice(i + 2, close);
        const value = values.get(name);
        if (value !== undefined) used.add(name);
        if (s === `$(${name})`) return value ?? s;
        out += value === undefined ? `$(${name})` : String(value);
        advance = close - i;
      }
    } else out += `$${next}`;
    i += advance;
    checkpoint = i + 1;
  }
  return out + s.slice(checkpoint);
}

/** Replaces every `$(VAR)` in the varReference fields of every object. */
export function resolveVars(list: Res[], set: Map<string, Var>, specs: FieldSpec[]): void {
  if (set.size === 0) return;
  const values = new Map<string, Value>();
  for (const v of set.values()) {
    const value = varValue(v, list);
    // Maps and lists cannot go into a string: kustomize leaves such a var unreplaced.
    if (typeof value !== 'object') values.set(v.name, value as Value);
  }
  const used = new Set<string>();
  const str = (s: unknown) => (typeof s === 'string' ? expand(s, values, used) : s);
  for (const r of list) {
    for (const spec of specs) {
      applyFieldSpec(
        r.obj,
        spec,
        (node) => {
          if (node === null || node === undefined) return node;
          if (Array.isArray(node)) {
            return node.map((item) => {
              if (typeof item !== 'string') {
                throw new RenderError(`${describe(r.obj)}: ${spec.path}: invalid value type expect a string`);
              }
              return str(item);
            });
          }
          if (isRecord(node)) {
            // kustomize rewrites annotations as strings at the end: a number put there is printed quoted.
            const text = spec.path.endsWith('annotations');
            for (const k of Object.keys(node)) {
              const v = str(getOwn(node, k));
              setOwn(node, k, text && typeof v !== 'string' ? String(v) : v);
            }
            return node;
          }
          return str(node);
        },
        'none',
      );
    }
  }
}
