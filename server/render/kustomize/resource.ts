// A resource in the middle of a kustomize build: the object plus the bookkeeping kustomize keeps beside it.
import type { KubeObject } from '../../cluster/types.ts';
import { RenderError } from '../errors.ts';

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** An identity: current, or one the resource had before a prefix, suffix, namespace or patch renamed it. */
export interface ResId {
  gvk: Gvk;
  name: string;
  namespace: string;
  /** Known to be cluster-scoped (never true for a previous id: kustomize records those without scope). */
  clusterScoped: boolean;
}

export type Behavior = 'create' | 'merge' | 'replace';

/**
 * Kustomize keeps this in `config.kubernetes.io/*` build annotations and strips them at the end; we keep it
 * beside the object so nothing can leak into the output.
 */
export interface Res {
  obj: KubeObject;
  /** The file (or kustomization, for generated objects) it came from: every message names it. */
  file: string;
  /** Earlier identities, oldest first: the name references of other objects are fixed up through them. */
  prev: { name: string; namespace: string; kind: string }[];
  prefixes: string[];
  suffixes: string[];
  /** Generated ConfigMaps and Secrets get a content hash appended to their name at the very end. */
  needsHash: boolean;
  behavior: Behavior;
  /** Made by a generator (kustomize then always holds annotations on it: its behaviour). */
  generated?: boolean;
  /** The `vars` pinned to this object when they were declared (kustomize's refVarNames). */
  vars?: string[];
}

export const NAMESPACE_OF_CLUSTER_SCOPED = '_non_namespaceable_';

// Kinds kustomize knows to be cluster-scoped (its built-in Kubernetes 1.21 schema, by apiVersion and kind).
// Anything else, custom resources included, is treated as namespaced, exactly as kustomize does.
const CLUSTER_SCOPED = new Map<string, Set<string>>();
for (const line of [
  'apiregistration.k8s.io/v1 apiregistration.k8s.io/v1beta1 APIService',
  'storage.k8s.io/v1 storage.k8s.io/v1beta1 CSIDriver CSINode StorageClass VolumeAttachment',
  'certificates.k8s.io/v1 certificates.k8s.io/v1beta1 CertificateSigningRequest',
  'rbac.authorization.k8s.io/v1 rbac.authorization.k8s.io/v1beta1 ClusterRole ClusterRoleBinding',
  'apiextensions.k8s.io/v1 apiextensions.k8s.io/v1beta1 CustomResourceDefinition',
  'flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema PriorityLevelConfiguration',
  'networking.k8s.io/v1 networking.k8s.io/v1beta1 IngressClass',
  'admissionregistration.k8s.io/v1 admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration ValidatingWebhookConfiguration',
  'v1 ComponentStatus Namespace Node NodeProxyOptions PersistentVolume',
  'policy/v1beta1 PodSecurityPolicy',
  'scheduling.k8s.io/v1 scheduling.k8s.io/v1beta1 PriorityClass',
  'node.k8s.io/v1 node.k8s.io/v1beta1 RuntimeClass',
]) {
  const words = line.split(' ');
  const versions = words.filter((w) => w === 'v1' || w.includes('/'));
  for (const kind of words.filter((w) => !versions.includes(w))) {
    CLUSTER_SCOPED.set(kind, new Set([...(CLUSTER_SCOPED.get(kind) ?? []), ...versions]));
  }
}

export function isClusterScoped(apiVersion: string, kind: string): boolean {
  return CLUSTER_SCOPED.get(kind)?.has(apiVersion) ?? false;
}

// apiVersions and kinds repeat across thousands of objects: parse each pair once (the results are shared,
// so callers must not modify them).
const API_VERSIONS = new Map<string, { group: string; version: string }>();
const GVKS = new Map<string, Map<string, Gvk>>();

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  let parsed = API_VERSIONS.get(apiVersion);
  if (!parsed) {
    const i = apiVersion.indexOf('/');
    parsed =
      i < 0
        ? { group: '', version: apiVersion }
        : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
    API_VERSIONS.set(apiVersion, parsed);
  }
  return parsed;
}

function gvk(apiVersion: string, kind: string): Gvk {
  let byKind = GVKS.get(apiVersion);
  if (!byKind) {
    byKind = new Map();
    GVKS.set(apiVersion, byKind);
  }
  let g = byKind.get(kind);
  if (!g) {
    g = { ...parseApiVersion(apiVersion), kind };
    byKind.set(kind, g);
  }
  return g;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function gvkOf(obj: KubeObject): Gvk {
  return gvk(str(obj.apiVersion), str(obj.kind));
}

export function nameOf(obj: KubeObject): string {
  return str(obj.metadata?.name);
}

export function namespaceOf(obj: KubeObject): string {
  return str(obj.metadata?.namespace);
}

export function curId(r: Res): ResId {
  return {
    gvk: gvkOf(r.obj),
    name: nameOf(r.obj),
    namespace: namespaceOf(r.obj),
    clusterScoped: isClusterScoped(str(r.obj.apiVersion), str(r.obj.kind)),
  };
}

export function prevIds(r: Res): ResId[] {
  const apiVersion = str(r.obj.apiVersion);
  return r.prev.map((p) => ({
    gvk: gvk(apiVersion, p.kind),
    name: p.name,
    namespace: p.namespace,
    clusterScoped: false,
  }));
}

/** The identity the resource was loaded with. */
export function orgId(r: Res): ResId {
  return prevIds(r)[0] ?? curId(r);
}

export function allIds(r: Res): ResId[] {
  return [...prevIds(r), curId(r)];
}

/** Unset and `default` are the same namespace; cluster-scoped objects have none. */
export function effectiveNamespace(id: ResId): string {
  if (id.clusterScoped) return NAMESPACE_OF_CLUSTER_SCOPED;
  return id.namespace === '' ? 'default' : id.namespace;
}

export function gvkEquals(a: Gvk, b: Gvk): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

/** A selector's empty parts match anything. */
export function gvkSelected(gvk: Gvk, selector: Partial<Gvk>): boolean {
  return (
    (!selector.group || selector.group === gvk.group) &&
    (!selector.version || selector.version === gvk.version) &&
    (!selector.kind || selector.kind === gvk.kind)
  );
}

/** A string equal for two ids exactly when idEquals holds. */
export function idKey(id: ResId): string {
  const { group, version, kind } = id.gvk;
  return `${group}/${version}/${kind}/${effectiveNamespace(id)}/${id.name}`;
}

/** Resources by every identity they have had: finding "the one object this id names" without a scan. */
export class IdIndex {
  private readonly map = new Map<string, Res[]>();

  constructor(list: Res[]) {
    for (const r of list) this.add(r);
  }

  add(r: Res): void {
    for (const key of new Set(allIds(r).map(idKey))) {
      const at = this.map.get(key);
      if (at) at.push(r);
      else this.map.set(key, [r]);
    }
  }

  /** Every resource that has (or had) this identity. */
  get(id: ResId): Res[] {
    return this.map.get(idKey(id)) ?? [];
  }

  replace(old: Res, next: Res): void {
    for (const [key, list] of this.map) {
      const i = list.indexOf(old);
      if (i >= 0) list[i] = next;
      if (list.length === 0) this.map.delete(key);
    }
    this.add(next);
  }
}

export function idEquals(a: ResId, b: ResId): boolean {
  return gvkEquals(a.gvk, b.gvk) && a.name === b.name && effectiveNamespace(a) === effectiveNamespace(b);
}

/** Records the current identity before something renames the object. */
export function storePreviousId(r: Res): void {
  ensureAnnotations(r.obj);
  const id = curId(r);
  r.prev.push({ name: id.name, namespace: effectiveNamespace(id), kind: id.gvk.kind });
}

/** `apps/v1 Deployment shop/web`, the identity used in every message. */
export function describe(obj: KubeObject): string {
  const ns = namespaceOf(obj);
  const name = nameOf(obj);
  return `${str(obj.apiVersion)} ${str(obj.kind)} ${ns ? `${ns}/${name}` : name}`;
}

export function newRes(obj: KubeObject, file: string): Res {
  if (typeof obj.kind !== 'string' || obj.kind === '') {
    throw new RenderError(`${file}: an object has no kind`);
  }
  if (!isRecord(obj.metadata) || typeof obj.metadata.name !== 'string' || obj.metadata.name === '') {
    throw new RenderError(`${file}: a ${str(obj.kind)} has no metadata.name`);
  }
  return { obj, file, prev: [], prefixes: [], suffixes: [], needsHash: false, behavior: 'create' };
}

/**
 * kustomize keeps its bookkeeping (previous names, prefixes, generator behaviour) in annotations, so an
 * object it has renamed or generated has an annotations map even when it had none; transformers see it
 * (a JSON patch can add to it, a `metadata/annotations` field spec finds it). We keep that bookkeeping
 * beside the object, and reproduce the map's existence: call this wherever kustomize adds such an annotation.
 * At the end every empty map is dropped (see dropEmptyAnnotations).
 */
export function ensureAnnotations(obj: KubeObject): void {
  const a = obj.metadata.annotations as unknown;
  if (a === undefined || a === null) obj.metadata.annotations = {};
  else if (!isRecord(a)) throw new RenderError(`${describe(obj)}: metadata.annotations must be a map`);
}

/** kustomize's final clean-up rewrites every annotations map, which drops the empty (and null) ones. */
export function dropEmptyAnnotations(obj: KubeObject): void {
  const a = obj.metadata?.annotations as unknown;
  if (a === null || (isRecord(a) && Object.keys(a).length === 0)) delete obj.metadata.annotations;
}

export function cloneRes(r: Res): Res {
  return {
    ...r,
    obj: structuredClone(r.obj),
    prev: r.prev.map((p) => ({ ...p })),
    prefixes: [...r.prefixes],
    suffixes: [...r.suffixes],
  };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
