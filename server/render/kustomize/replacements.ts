// `replacements`: copy a field of one object into fields of others (kustomize's ReplacementTransformer).
import { RenderError } from '../errors.ts';
import { parseDocument, YAML_11_OPTIONS } from '../yaml.ts';
import { Reader } from './check.ts';
import { type Create, lookup, matchFields, resolveScalar, type Slot, scalarText } from './fieldpath.ts';
import {
  allIds,
  describe,
  effectiveNamespace,
  gvkSelected,
  isClusterScoped,
  isRecord,
  type Res,
  type ResId,
} from './resource.ts';
import { parseLabelSelector } from './select.ts';

/** A resource id to match exactly; empty parts match anything (kustomize's ResId.IsSelectedBy). */
export interface IdSelector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface TargetSelector extends IdSelector {
  labelSelector?: string;
  annotationSelector?: string;
}

export interface FieldOptions {
  delimiter: string;
  index: number;
  create: boolean;
}

export interface Replacement {
  source: IdSelector & { fieldPath: string; options?: FieldOptions };
  targets: {
    select: TargetSelector;
    reject: TargetSelector[];
    fieldPaths: string[];
    options?: FieldOptions;
  }[];
}

/** One entry of `replacements:`: inline, or a file holding one replacement or a list of them. */
export type ReplacementEntry = { path: string } | Replacement;

const ID_FIELDS = ['group', 'version', 'kind', 'name', 'namespace'] as const;

function idSelector(r: Reader, extra: string[], strict: boolean): TargetSelector {
  if (strict) r.fields([...ID_FIELDS, ...extra]);
  else if (r.present && !isRecord(r.value)) r.fail('must be a mapping');
  const s: TargetSelector = {};
  for (const k of ID_FIELDS) {
    const v = r.at(k).string();
    if (v) s[k] = v;
  }
  for (const k of ['labelSelector', 'annotationSelector'] as const) {
    const v = extra.includes(k) ? r.at(k).string() : undefined;
    if (v) s[k] = v;
  }
  return s;
}

function fieldOptions(r: Reader, strict: boolean): FieldOptions | undefined {
  if (!r.present) return undefined;
  if (strict) r.fields(['delimiter', 'index', 'encoding', 'create']);
  return {
    delimiter: r.at('delimiter').string() ?? '',
    index: r.at('index').int() ?? 0,
    create: r.at('create').bool() ?? false,
  };
}

/** One replacement; `strict` (inline in a kustomization) refuses unknown fields as kustomize's decoder does. */
export function readReplacement(r: Reader, strict: boolean): Replacement {
  if (strict) r.fields(['source', 'targets']);
  else if (!isRecord(r.value)) r.fail('must be a mapping');
  const src = r.at('source');
  if (!src.present || !r.at('targets').present) {
    r.fail('replacements must specify a source and at least one target');
  }
  const source: Replacement['source'] = {
    ...idSelector(src, ['fieldPath', 'options'], strict),
    fieldPath: src.at('fieldPath').string() || 'metadata.name',
  };
  const sourceOptions = fieldOptions(src.at('options'), strict);
  if (sourceOptions) source.options = sourceOptions;
  const targets = r
    .at('targets')
    .list()
    .map((t) => {
      if (strict) t.fields(['select', 'reject', 'fieldPaths', 'options']);
      if (!t.at('select').present) t.fail('target must specify resources to select');
      const sel = ['labelSelector', 'annotationSelector'];
      const fieldPaths = t.at('fieldPaths').strings();
      const target: Replacement['targets'][number] = {
        select: idSelector(t.at('select'), sel, strict),
        reject: t
          .at('reject')
          .list()
          .map((x) => idSelector(x, sel, strict)),
        fieldPaths: fieldPaths.length > 0 ? fieldPaths : ['metadata.name'],
      };
      const options = fieldOptions(t.at('options'), strict);
      if (options) target.options = options;
      return target;
    });
  return { source, targets };
}

export function readReplacementEntry(r: Reader): ReplacementEntry {
  if (!isRecord(r.value)) r.fail('must be a mapping');
  if (r.at('path').present) {
    r.fields(['path', 'source', 'targets']);
    if (r.at('source').present || r.at('targets').present) {
      r.fail('cannot specify both path and inline replacement');
    }
    return { path: r.at('path').requiredString() };
  }
  return readReplacement(r, true);
}

/** The replacements of a file: one mapping or a list of them. */
export function readReplacementFile(text: string, file: string): Replacement[] {
  const doc = parseDocument(text, file, YAML_11_OPTIONS);
  const root = new Reader(file, '', doc);
  if (Array.isArray(doc)) return root.list().map((r) => readReplacement(r, false));
  if (isRecord(doc)) return [readReplacement(root, false)];
  return root.fail('unsupported replacement type: must be a mapping or a list');
}

function selectorText(s: IdSelector): string {
  const parts = ID_FIELDS.filter((k) => s[k]).map((k) => `${k}=${s[k]}`);
  return parts.length > 0 ? parts.join(', ') : 'an empty selector';
}

/** kustomize's ResId.IsSelectedBy: exact values, namespaces compared as effective namespaces. */
function idSelected(id: ResId, s: IdSelector): boolean {
  if (s.name && s.name !== id.name) return false;
  if (s.namespace) {
    const selectorId: ResId = {
      gvk: { group: s.group ?? '', version: s.version ?? '', kind: s.kind ?? '' },
      name: '',
      namespace: s.namespace,
      clusterScoped: isClusterScoped(
        s.group ? `${s.group}/${s.version ?? ''}` : (s.version ?? ''),
        s.kind ?? '',
      ),
    };
    if (effectiveNamespace(selectorId) !== effectiveNamespace(id)) return false;
  }
  return gvkSelected(id.gvk, s);
}

function metaMatches(r: Res, s: TargetSelector, where: string): boolean {
  const labels = (r.obj.metadata.labels ?? {}) as Record<string, string>;
  const annotations = (r.obj.metadata.annotations ?? {}) as Record<string, string>;
  return (
    parseLabelSelector(s.annotationSelector ?? '', where).every((req) => req(annotations)) &&
    parseLabelSelector(s.labelSelector ?? '', where).every((req) => req(labels))
  );
}

function sourceValue(list: Res[], rep: Replacement, where: string): unknown {
  const { source } = rep;
  const found = list.filter((r) => allIds(r).some((id) => idSelected(id, source)));
  if (found.length === 0) throw new RenderError(`${where}: nothing selected by ${selectorText(source)}`);
  if (found.length > 1) {
    throw new RenderError(
      `${where}: multiple matches for selector ${selectorText(source)} (${found.map((r) => describe(r.obj)).join(', ')})`,
    );
  }
  const obj = (found[0] as Res).obj;
  const value = lookup(obj, source.fieldPath, where);
  const empty =
    value === undefined ||
    value === null ||
    (Array.isArray(value) && value.length === 0) ||
    (isRecord(value) && Object.keys(value).length === 0);
  if (empty) {
    throw new RenderError(
      `${where}: fieldPath \`${source.fieldPath}\` is missing for replacement source ${describe(obj)}`,
    );
  }
  const o = source.options;
  if (!o || o.delimiter === '') return value;
  if (typeof value === 'object') {
    throw new RenderError(`${where}: delimiter option can only be used with scalar nodes`);
  }
  const parts = scalarText(value).split(o.delimiter);
  if (o.index >= parts.length || o.index < 0) {
    throw new RenderError(
      `${where}: options.index ${o.index} is out of bounds for value ${scalarText(value)}`,
    );
  }
  return parts[o.index];
}

function setField(slot: Slot, value: unknown, options: FieldOptions | undefined, where: string): void {
  let v = value;
  const target = slot.value;
  const scalarTarget = target === undefined || target === null || typeof target !== 'object';
  if (options && options.delimiter !== '') {
    if (!scalarTarget) throw new RenderError(`${where}: delimiter option can only be used with scalar nodes`);
    const parts = scalarText(target).split(options.delimiter);
    const text = scalarText(value);
    if (options.index < 0) parts.unshift(text);
    else if (options.index >= parts.length) parts.push(text);
    else parts[options.index] = text;
    v = parts.join(options.delimiter);
  }
  if (!scalarTarget) {
    slot.set(structuredClone(v));
    return;
  }
  // A scalar keeps its own type (only the text is copied): a string stays a string, a number's new text is
  // read as YAML again; a field created just now has no type yet, so its text decides.
  const text = scalarText(v);
  if (typeof target === 'string' && !slot.created) slot.set(text);
  else if (slot.created && typeof v === 'object' && v !== null) slot.set(structuredClone(v));
  else slot.set(resolveScalar(text));
}

function createKind(value: unknown): Create {
  if (Array.isArray(value)) return 'seq';
  if (isRecord(value)) return 'map';
  return 'scalar';
}

/** Whether `r` is a replacement target: selected by `t.select` (labels, annotations, ids) and not rejected. */
function isTarget(r: Res, t: Replacement['targets'][number], where: string): boolean {
  if (!metaMatches(r, t.select, where)) return false;
  const metaRejected = t.reject.some(
    (x) => (x.labelSelector || x.annotationSelector) && metaMatches(r, x, where),
  );
  if (metaRejected) return false;
  const ids = allIds(r);
  const idRejected = t.reject.some((x) => ID_FIELDS.some((k) => x[k]) && ids.some((id) => idSelected(id, x)));
  return !idRejected && ids.some((id) => idSelected(id, t.select));
}

/** Writes `value` into every field of `r` the target's paths reach; a path that reaches none fails. */
function writeTarget(r: Res, t: Replacement['targets'][number], value: unknown, where: string): void {
  const create = t.options?.create ? createKind(value) : 'none';
  for (const fp of t.fieldPaths) {
    const at = `${where}: ${describe(r.obj)}`;
    const slots = matchFields(r.obj, fp, create, at);
    if (slots.length === 0) {
      const verb = create === 'none' ? 'find' : 'find or create';
      throw new RenderError(`${at}: unable to ${verb} field "${fp}" in replacement target`);
    }
    for (const slot of slots) setField(slot, value, t.options, at);
  }
}

/** Applies the replacements in order; each reads its source after the previous ones have written. */
export function applyReplacements(list: Res[], replacements: Replacement[], file: string): void {
  replacements.forEach((rep, i) => {
    const where = `${file}: replacements[${i}]`;
    const value = sourceValue(list, rep, where);
    for (const t of rep.targets) {
      for (const r of list) {
        if (isTarget(r, t, where)) writeTarget(r, t, value, where);
      }
    }
  });
}
