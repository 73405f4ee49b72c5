// The kinds the simulator serves: built-in resource types and the registry CRDs add to and remove from.
import type { JsonObject } from './util.ts';

export type NameRule = 'subdomain' | 'label' | 'dns1035' | 'path';

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources served besides the object itself. */
  subresources: string[];
  nameRule: NameRule;
  /** Set for kinds a CustomResourceDefinition defines; holds that version's schema. */
  crd?: { name: string; schema?: JsonObject; printerColumns: JsonObject[] };
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function apiVersionOf(rt: ResourceType): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/** `deployments.apps` / `configmaps`: how error messages name a resource. */
export function qualifiedResource(rt: ResourceType): string {
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}

/** `Deployment.apps` / `ConfigMap`: how validation errors name a kind. */
export function qualifiedKind(rt: ResourceType): string {
  return rt.group ? `${rt.kind}.${rt.group}` : rt.kind;
}

export function hasStatus(rt: ResourceType): boolean {
  return rt.subresources.includes('status');
}

interface Spec {
  kind: string;
  plural?: string;
  cluster?: boolean;
  short?: string[];
  all?: boolean;
  sub?: string[];
  name?: NameRule;
}

function build(group: string, version: string, specs: Spec[]): ResourceType[] {
  return specs.map((s) => ({
    group,
    version,
    kind: s.kind,
    plural: s.plural ?? `${s.kind.toLowerCase()}s`,
    singular: s.kind.toLowerCase(),
    namespaced: !s.cluster,
    shortNames: s.short ?? [],
    categories: s.all ? ['all'] : [],
    verbs: ALL_VERBS,
    subresources: s.sub ?? [],
    nameRule: s.name ?? 'subdomain',
  }));
}

const ST = ['status'];

export const BUILTIN: ResourceType[] = [
  ...build('', 'v1', [
    { kind: 'Namespace', cluster: true, short: ['ns'], sub: ST, name: 'label' },
    { kind: 'Node', cluster: true, short: ['no'], sub: ST },
    { kind: 'ConfigMap', short: ['cm'] },
    { kind: 'Secret' },
    { kind: 'Service', short: ['svc'], all: true, sub: ST, name: 'dns1035' },
    { kind: 'ServiceAccount', short: ['sa'] },
    { kind: 'Pod', short: ['po'], all: true, sub: ['status', 'log'] },
    { kind: 'PersistentVolumeClaim', short: ['pvc'], sub: ST },
    { kind: 'Event', short: ['ev'] },
    { kind: 'Endpoints', plural: 'endpoints', short: ['ep'] },
    { kind: 'LimitRange', short: ['limits'] },
    { kind: 'ResourceQuota', short: ['quota'], sub: ST },
  ]),
  ...build('apps', 'v1', [
    { kind: 'Deployment', short: ['deploy'], all: true, sub: ['status', 'scale'] },
    { kind: 'StatefulSet', short: ['sts'], all: true, sub: ['status', 'scale'] },
    { kind: 'DaemonSet', short: ['ds'], all: true, sub: ST },
    { kind: 'ReplicaSet', short: ['rs'], all: true, sub: ['status', 'scale'] },
    { kind: 'ControllerRevision' },
  ]),
  ...build('batch', 'v1', [
    { kind: 'Job', all: true, sub: ST },
    { kind: 'CronJob', short: ['cj'], all: true, sub: ST },
  ]),
  ...build('rbac.authorization.k8s.io', 'v1', [
    { kind: 'Role', name: 'path' },
    { kind: 'RoleBinding', name: 'path' },
    { kind: 'ClusterRole', cluster: true, name: 'path' },
    { kind: 'ClusterRoleBinding', cluster: true, name: 'path' },
  ]),
  ...build('networking.k8s.io', 'v1', [
    { kind: 'Ingress', plural: 'ingresses', short: ['ing'], sub: ST },
    { kind: 'NetworkPolicy', plural: 'networkpolicies', short: ['netpol'] },
  ]),
  ...build('policy', 'v1', [{ kind: 'PodDisruptionBudget', short: ['pdb'], sub: ST }]),
  ...build('apiextensions.k8s.io', 'v1', [
    { kind: 'CustomResourceDefinition', cluster: true, short: ['crd', 'crds'], sub: ST },
  ]),
  ...build('coordination.k8s.io', 'v1', [{ kind: 'Lease' }]),
  ...build('autoscaling', 'v2', [{ kind: 'HorizontalPodAutoscaler', short: ['hpa'], all: true, sub: ST }]),
  ...build('storage.k8s.io', 'v1', [
    { kind: 'StorageClass', plural: 'storageclasses', cluster: true, short: ['sc'] },
  ]),
  ...build('scheduling.k8s.io', 'v1', [
    { kind: 'PriorityClass', plural: 'priorityclasses', cluster: true, short: ['pc'] },
  ]),
];

/** Where the API server lists groups: core first, then built-in groups in a fixed order, then CRD groups. */
export class KindRegistry {
  readonly types: ResourceType[] = [];
  private readonly byKey = new Map<string, ResourceType>();

  constructor() {
    for (const rt of BUILTIN) this.add(rt);
  }

  add(rt: ResourceType): void {
    this.remove(rt.group, rt.version, rt.plural);
    this.types.push(rt);
    this.byKey.set(key(rt.group, rt.version, rt.plural), rt);
  }

  remove(group: string, version: string, plural: string): void {
    const k = key(group, version, plural);
    const existing = this.byKey.get(k);
    if (!existing) return;
    this.byKey.delete(k);
    this.types.splice(this.types.indexOf(existing), 1);
  }

  /** Every version a CRD registered, so deleting or changing it can drop them all. */
  byCrd(crdName: string): ResourceType[] {
    return this.types.filter((t) => t.crd?.name === crdName);
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byKey.get(key(group, version, plural));
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
  }

  /** Group → versions in registration order. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const t of this.types) {
      const versions = out.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      out.set(t.group, versions);
    }
    return out;
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.version === version);
  }
}

function key(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}

export function storeKey(rt: ResourceType): string {
  // Objects live per group+resource, not per version, as in etcd.
  return `${rt.group}/${rt.plural}`;
}
