// The simple built-in transformers: namespace, name prefix/suffix, labels, annotations, replicas.
import { RenderError } from '../errors.ts';
import { notePlainTemplate } from '../yaml.ts';
import type { TransformerConfig } from './config.ts';
import {
  applyFieldSpec,
  type FieldSpec,
  METADATA_LABELS_ONLY,
  setEntries,
  specMatches,
} from './fieldspec.ts';
import {
  allIds,
  curId,
  describe,
  effectiveNamespace,
  gvkSelected,
  isClusterScoped,
  isRecord,
  orgId,
  type Res,
  storePreviousId,
  str,
} from './resource.ts';

/** How a NamespaceTransformer treats (Cluster)RoleBinding subjects, and whether it keeps namespaces set. */
export interface NamespaceOptions {
  subjects?: 'defaultOnly' | 'allServiceAccounts' | 'none';
  unsetOnly?: boolean;
}

/** `namespace:` sets metadata.namespace of namespaced objects, renames Namespace objects, fixes a few refs. */
export function setNamespace(
  resources: Res[],
  namespace: string,
  file: string,
  specs: FieldSpec[],
  options: NamespaceOptions = {},
): void {
  const subjectsMode = options.subjects ?? 'defaultOnly';
  const value = (old: unknown) =>
    options.unsetOnly && typeof old === 'string' && old !== '' ? old : namespace;
  for (const r of resources) {
    storePreviousId(r);
    const { obj } = r;
    if (!isClusterScoped(str(obj.apiVersion), str(obj.kind)))
      obj.metadata.namespace = value(obj.metadata.namespace);
    notePlainTemplate('namespace', namespace);
    setSubjectsNamespace(obj, subjectsMode, value);
    setNamespaceFields(obj, namespace, specs, value);
  }
  refuseCollisions(resources, namespace, file);
}

/** A (Cluster)RoleBinding's subjects follow the namespace as `mode` says. */
function setSubjectsNamespace(
  obj: Res['obj'],
  mode: NonNullable<NamespaceOptions['subjects']>,
  value: (old: unknown) => unknown,
): void {
  if ((obj.kind !== 'RoleBinding' && obj.kind !== 'ClusterRoleBinding') || mode === 'none') return;
  // defaultOnly: only a subject named "default" follows; allServiceAccounts: every ServiceAccount.
  const subjects = (obj as { subjects?: unknown }).subjects;
  if (!Array.isArray(subjects)) return;
  for (const s of subjects) {
    if (!isRecord(s)) continue;
    const follows = mode === 'defaultOnly' ? s.name === 'default' : s.kind === 'ServiceAccount';
    if (follows) s.namespace = value(s.namespace);
  }
}

/** The other fields the configuration lists for the namespace. */
function setNamespaceFields(
  obj: Res['obj'],
  namespace: string,
  specs: FieldSpec[],
  value: (old: unknown) => unknown,
): void {
  const apiVersion = str(obj.apiVersion);
  for (const spec of specs) {
    // metadata/namespace was set by the caller (only on namespaced objects); metadata/name is only the
    // Namespace's own name in the core group.
    if (spec.path === 'metadata/namespace') continue;
    if (spec.path === 'metadata/name' && apiVersion !== 'v1') continue;
    const set = setScalar(obj, spec, namespace);
    applyFieldSpec(obj, spec, (old) => (value(old) === old ? old : set(old)), 'scalar');
  }
}

/** Two objects the new namespace makes one (same kind, namespace and name) are refused. */
function refuseCollisions(resources: Res[], namespace: string, file: string): void {
  const seen = new Map<string, Res>();
  for (const r of resources) {
    const id = curId(r);
    const key = `${id.gvk.group}/${id.gvk.version}/${id.gvk.kind}/${effectiveNamespace(id)}/${id.name}`;
    const other = seen.get(key);
    if (other) {
      throw new RenderError(
        `${file}: namespace "${namespace}" makes ${describe(r.obj)} (${r.file}) collide with the one from ${other.file}`,
      );
    }
    seen.set(key, r);
  }
}

function setScalar(obj: Res['obj'], spec: FieldSpec, value: string) {
  return (node: unknown): unknown => {
    if (node !== null && typeof node === 'object') {
      throw new RenderError(`${describe(obj)}: "${spec.path}" is not a scalar`);
    }
    return value;
  };
}

// Prefixes and suffixes skip the kinds whose names are fixed by the API (and Namespaces, by design).
function keepsItsName(r: Res): boolean {
  const { gvk } = orgId(r);
  return (
    gvk.kind === 'CustomResourceDefinition' ||
    gvk.kind === 'Namespace' ||
    (gvk.kind === 'APIService' && gvk.group === 'apiregistration.k8s.io')
  );
}

/** Prefixes (then suffixes) the name, and any other field the configuration lists, of every object. */
export function addNamePrefixSuffix(
  resources: Res[],
  prefix: string,
  suffix: string,
  config: Pick<TransformerConfig, 'namePrefix' | 'nameSuffix'>,
): void {
  const pass = (affix: string, specs: FieldSpec[], front: boolean) => {
    if (!affix) return;
    for (const r of resources) {
      if (keepsItsName(r)) continue;
      const { gvk } = orgId(r);
      for (const spec of specs) {
        if (!gvkSelected(gvk, spec)) continue;
        if (spec.path === 'metadata/name') {
          (front ? r.prefixes : r.suffixes).push(affix);
          storePreviousId(r);
        }
        const set = (v: unknown) => (typeof v === 'string' ? (front ? `${affix}${v}` : `${v}${affix}`) : v);
        applyFieldSpec(r.obj, { path: spec.path }, set, 'none');
      }
    }
  };
  pass(prefix, config.namePrefix, true);
  pass(suffix, config.nameSuffix, false);
}

export function addLabels(resources: Res[], labels: Record<string, string>, specs: FieldSpec[]): void {
  const keys = Object.keys(labels).sort();
  for (const k of keys) notePlainTemplate(k, labels[k] as string);
  for (const r of resources) {
    for (const spec of specs) {
      if (!specMatches(spec, r.obj)) continue;
      // kustomize sets one key at a time, in key order; on a map that is the same as setting them in turn.
      applyFieldSpec(r.obj, spec, setEntries(r.obj, spec, keys, labels), 'map');
    }
  }
}

/** The field specs of one `labels:` entry: its own `fields`, plus selectors and/or templates when asked. */
export function labelSpecs(
  entry: { includeSelectors?: boolean; includeTemplates?: boolean; fields?: FieldSpec[] },
  config: Pick<TransformerConfig, 'labels' | 'commonLabels' | 'templateLabels'>,
): FieldSpec[] {
  const own = [...(entry.fields ?? []), ...config.labels];
  if (entry.includeSelectors) return [...own, ...config.commonLabels];
  return [...own, ...(entry.includeTemplates ? config.templateLabels : []), ...METADATA_LABELS_ONLY];
}

export function setReplicas(
  resources: Res[],
  name: string,
  count: number,
  file: string,
  specs: FieldSpec[],
): void {
  let found = false;
  for (const spec of specs) {
    for (const r of resources) {
      const matches = allIds(r).some((id) => id.name === name && gvkSelected(id.gvk, spec));
      if (!matches) continue;
      found = true;
      applyFieldSpec(r.obj, spec, () => count, 'scalar');
    }
  }
  if (!found) {
    throw new RenderError(
      `${file}: replicas: no Deployment, StatefulSet, ReplicaSet or ReplicationController is named "${name}"`,
    );
  }
}
