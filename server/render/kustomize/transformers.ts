// The simple built-in transformers: namespace, name prefix/suffix, labels, annotations, replicas.
import { RenderError } from '../errors.ts';
import { notePlainTemplate } from '../yaml.ts';
import {
  applyFieldSpec,
  COMMON_ANNOTATIONS,
  COMMON_LABELS,
  type FieldSpec,
  METADATA_LABELS_ONLY,
  NAMESPACE,
  REPLICAS,
  setEntries,
  specMatches,
  TEMPLATE_LABELS,
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

/** `namespace:` sets metadata.namespace of namespaced objects, renames Namespace objects, fixes a few refs. */
export function setNamespace(resources: Res[], namespace: string, file: string): void {
  for (const r of resources) {
    storePreviousId(r);
    const { obj } = r;
    const apiVersion = str(obj.apiVersion);
    if (!isClusterScoped(apiVersion, str(obj.kind))) obj.metadata.namespace = namespace;
    notePlainTemplate('namespace', namespace);
    if (obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding') {
      // Only the subject named "default" follows the namespace (kustomize's defaultOnly mode).
      const subjects = (obj as { subjects?: unknown }).subjects;
      if (Array.isArray(subjects)) {
        for (const s of subjects) if (isRecord(s) && s.name === 'default') s.namespace = namespace;
      }
    }
    for (const spec of NAMESPACE) {
      // metadata/name is only the Namespace's own name in the core group.
      if (spec.path === 'metadata/name' && apiVersion !== 'v1') continue;
      applyFieldSpec(obj, spec, setScalar(obj, spec, namespace), 'scalar');
    }
  }
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

export function addNamePrefixSuffix(resources: Res[], prefix: string, suffix: string): void {
  for (const r of resources) {
    if (keepsItsName(r)) continue;
    if (prefix) {
      r.prefixes.push(prefix);
      storePreviousId(r);
      r.obj.metadata.name = `${prefix}${str(r.obj.metadata.name)}`;
    }
  }
  for (const r of resources) {
    if (keepsItsName(r)) continue;
    if (suffix) {
      r.suffixes.push(suffix);
      storePreviousId(r);
      r.obj.metadata.name = `${str(r.obj.metadata.name)}${suffix}`;
    }
  }
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
export function labelSpecs(entry: {
  includeSelectors?: boolean;
  includeTemplates?: boolean;
  fields?: FieldSpec[];
}): FieldSpec[] {
  const own = entry.fields ?? [];
  if (entry.includeSelectors) return [...own, ...COMMON_LABELS];
  return [...own, ...(entry.includeTemplates ? TEMPLATE_LABELS : []), ...METADATA_LABELS_ONLY];
}

export { COMMON_LABELS };

export function addAnnotations(resources: Res[], annotations: Record<string, string>): void {
  addLabels(resources, annotations, COMMON_ANNOTATIONS);
}

export function setReplicas(resources: Res[], name: string, count: number, file: string): void {
  let found = false;
  for (const spec of REPLICAS) {
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
