// Transformer configuration: which fields each built-in transformer touches. kustomize's defaults, merged with
// a kustomization's `configurations:` files and with those of every kustomization it builds on.
import { RenderError } from '../errors.ts';
import { parseDocument, YAML_11_OPTIONS } from '../yaml.ts';
import { Reader } from './check.ts';
import {
  COMMON_ANNOTATIONS,
  COMMON_LABELS,
  type FieldSpec,
  IMAGES,
  NAME_AFFIX,
  NAMESPACE,
  REPLICAS,
  TEMPLATE_LABELS,
  VAR_REFERENCE,
} from './fieldspec.ts';
import { BACK_REFERENCES, type BackRef } from './namereference.ts';

const SPEC_LISTS = [
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'templateLabels',
  'commonAnnotations',
  'varReference',
  'images',
  'replicas',
] as const;
type SpecList = (typeof SPEC_LISTS)[number];

export type TransformerConfig = Record<SpecList, FieldSpec[]> & { nameReference: BackRef[] };

export const DEFAULT_CONFIG: TransformerConfig = {
  namePrefix: NAME_AFFIX,
  nameSuffix: NAME_AFFIX,
  namespace: NAMESPACE,
  commonLabels: COMMON_LABELS,
  labels: [],
  templateLabels: TEMPLATE_LABELS,
  commonAnnotations: COMMON_ANNOTATIONS,
  varReference: VAR_REFERENCE,
  images: IMAGES,
  replicas: REPLICAS,
  nameReference: BACK_REFERENCES,
};

/** What a kustomization starts from before its bases and its own configuration are merged in. */
export const EMPTY_CONFIG: TransformerConfig = {
  ...(Object.fromEntries(SPEC_LISTS.map((k) => [k, []])) as unknown as Record<SpecList, FieldSpec[]>),
  nameReference: [],
};

/** kustomize's "effectively equal": same path, and `a`'s kind is selected by `b`'s (empty parts match). */
function sameSpec(a: FieldSpec, b: FieldSpec): boolean {
  return (
    a.path === b.path &&
    (!b.group || b.group === a.group) &&
    (!b.version || b.version === a.version) &&
    (!b.kind || b.kind === a.kind)
  );
}

function mergeSpecs(into: FieldSpec[], more: FieldSpec[], what: string): FieldSpec[] {
  if (more.length === 0 || into === more) return into;
  const out = [...into];
  for (const x of more) {
    const found = out.find((s) => sameSpec(s, x));
    if (!found) out.push(x);
    else if ((found.create ?? false) !== (x.create ?? false)) {
      throw new RenderError(`${what}: conflicting fieldspecs for ${x.kind ?? 'every kind'} ${x.path}`);
    }
  }
  return out;
}

const sameGvk = (a: BackRef['referral'], b: BackRef['referral']) =>
  (a.group ?? '') === (b.group ?? '') && (a.version ?? '') === (b.version ?? '') && a.kind === b.kind;

export function mergeConfig(a: TransformerConfig, b: TransformerConfig, what: string): TransformerConfig {
  if (a === b || b === EMPTY_CONFIG) return a;
  if (a === EMPTY_CONFIG) return b;
  const out = { ...a };
  for (const k of SPEC_LISTS) out[k] = mergeSpecs(a[k], b[k], `${what}: ${k}`);
  if (a.nameReference !== b.nameReference) {
    const refs = [...a.nameReference];
    for (const ref of b.nameReference) {
      const i = refs.findIndex((r) => sameGvk(r.referral, ref.referral));
      if (i < 0) refs.push(ref);
      else {
        const cur = refs[i] as BackRef;
        refs[i] = {
          referral: cur.referral,
          referrers: mergeSpecs(cur.referrers, ref.referrers, `${what}: nameReference`),
        };
      }
    }
    out.nameReference = refs;
  }
  return out;
}

function fieldSpecs(r: Reader): FieldSpec[] {
  return r.list().map((f) => {
    f.fields(['path', 'group', 'version', 'kind', 'create']);
    const spec: FieldSpec = { path: f.at('path').string() ?? '', create: f.at('create').bool() ?? false };
    for (const k of ['group', 'version', 'kind'] as const) {
      const v = f.at(k).string();
      if (v) spec[k] = v;
    }
    return spec;
  });
}

/** One `configurations:` file, decoded strictly as kustomize does (an unknown key is an error). */
export function readConfig(text: string, file: string): TransformerConfig {
  const doc = parseDocument(text, file, YAML_11_OPTIONS);
  const root = new Reader(file, '', doc ?? {});
  root.fields([...SPEC_LISTS, 'nameReference']);
  const out = { ...EMPTY_CONFIG };
  for (const k of SPEC_LISTS) out[k] = mergeSpecs([], fieldSpecs(root.at(k)), `${file}: ${k}`);
  const refs: BackRef[] = [];
  for (const r of root.at('nameReference').list()) {
    r.fields(['group', 'version', 'kind', 'fieldSpecs']);
    const referral: BackRef['referral'] = { kind: r.at('kind').string() ?? '' };
    const group = r.at('group').string();
    const version = r.at('version').string();
    if (group) referral.group = group;
    if (version) referral.version = version;
    const ref = { referral, referrers: fieldSpecs(r.at('fieldSpecs')) };
    const i = refs.findIndex((x) => sameGvk(x.referral, referral));
    if (i < 0) refs.push(ref);
    else
      refs[i] = {
        referral,
        referrers: mergeSpecs((refs[i] as BackRef).referrers, ref.referrers, `${file}: nameReference`),
      };
  }
  out.nameReference = refs;
  return out;
}
