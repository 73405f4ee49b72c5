// Field specs: kustomize's way of saying "the labels of a Deployment also live at spec/template/metadata/labels".
import type { KubeObject } from '../../cluster/types.ts';
import { RenderError } from '../errors.ts';
import { getOwn, setOwn } from '../own.ts';
import { describe, gvkOf } from './resource.ts';

export interface FieldSpec {
  path: string;
  group?: string;
  version?: string;
  kind?: string;
  create?: boolean;
}

/** `kind path [create]`, kind as `Kind`, `group:Kind`, `version@Kind` or `-` for every kind. */
function table(lines: string[]): FieldSpec[] {
  return lines.map((line) => {
    const [gvk = '-', path = '', create] = line.split(' ');
    const spec: FieldSpec = { path, create: create === 'create' };
    if (gvk !== '-') {
      const [, version, group, kind] = /^(?:([^@]+)@)?(?:([^:]+):)?(.+)$/.exec(gvk) ?? [];
      if (version) spec.version = version;
      if (group) spec.group = group;
      spec.kind = kind;
    }
    return spec;
  });
}

// The default field specs of kustomize v5 (api/internal/konfig/builtinpluginconsts), in the same order.
const METADATA_LABELS = [
  '- metadata/labels create',
  'v1@ReplicationController spec/template/metadata/labels create',
  'Deployment spec/template/metadata/labels create',
  'ReplicaSet spec/template/metadata/labels create',
  'DaemonSet spec/template/metadata/labels create',
  'apps:StatefulSet spec/template/metadata/labels create',
  'apps:StatefulSet spec/volumeClaimTemplates[]/metadata/labels create',
  'batch:Job spec/template/metadata/labels create',
  'batch:CronJob spec/jobTemplate/metadata/labels create',
  'batch:CronJob spec/jobTemplate/spec/template/metadata/labels create',
];

const AFFINITY = [
  'podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm',
  'podAffinity/requiredDuringSchedulingIgnoredDuringExecution',
  'podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm',
  'podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution',
].map((p) => `spec/template/spec/affinity/${p}/labelSelector/matchLabels`);
const SPREAD = 'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels';

export const COMMON_LABELS: FieldSpec[] = table([
  'v1@Service spec/selector create',
  'v1@ReplicationController spec/selector create',
  'Deployment spec/selector/matchLabels create',
  ...AFFINITY.map((p) => `apps:Deployment ${p}`),
  `apps:Deployment ${SPREAD}`,
  'ReplicaSet spec/selector/matchLabels create',
  'DaemonSet spec/selector/matchLabels create',
  'apps:StatefulSet spec/selector/matchLabels create',
  ...AFFINITY.map((p) => `apps:StatefulSet ${p}`),
  `apps:StatefulSet ${SPREAD}`,
  'batch:Job spec/selector/matchLabels',
  'batch:CronJob spec/jobTemplate/spec/selector/matchLabels',
  'policy:PodDisruptionBudget spec/selector/matchLabels',
  'networking.k8s.io:NetworkPolicy spec/podSelector/matchLabels',
  'networking.k8s.io:NetworkPolicy spec/ingress/from/podSelector/matchLabels',
  'networking.k8s.io:NetworkPolicy spec/egress/to/podSelector/matchLabels',
  ...METADATA_LABELS,
]);

export const TEMPLATE_LABELS: FieldSpec[] = table(METADATA_LABELS);

export const METADATA_LABELS_ONLY: FieldSpec[] = table(['- metadata/labels create']);

export const COMMON_ANNOTATIONS: FieldSpec[] = table([
  '- metadata/annotations create',
  'v1@ReplicationController spec/template/metadata/annotations create',
  'Deployment spec/template/metadata/annotations create',
  'ReplicaSet spec/template/metadata/annotations create',
  'DaemonSet spec/template/metadata/annotations create',
  'StatefulSet spec/template/metadata/annotations create',
  'batch:Job spec/template/metadata/annotations create',
  'batch:CronJob spec/jobTemplate/metadata/annotations create',
  'batch:CronJob spec/jobTemplate/spec/template/metadata/annotations create',
]);

export const NAMESPACE: FieldSpec[] = table([
  'Namespace metadata/name create',
  'apiregistration.k8s.io:APIService spec/service/namespace create',
  'apiextensions.k8s.io:CustomResourceDefinition spec/conversion/webhook/clientConfig/service/namespace',
]);

export const IMAGES: FieldSpec[] = table([
  '- spec/containers[]/image create',
  '- spec/initContainers[]/image create',
  '- spec/template/spec/containers[]/image create',
  '- spec/template/spec/initContainers[]/image create',
]);

export const REPLICAS: FieldSpec[] = table([
  'Deployment spec/replicas create',
  'ReplicationController spec/replicas create',
  'ReplicaSet spec/replicas create',
  'StatefulSet spec/replicas create',
]);

export const NAME_AFFIX: FieldSpec[] = table(['- metadata/name']);

const POD_VARS = [
  'containers/args',
  'containers/command',
  'containers/env/value',
  'containers/volumeMounts/mountPath',
  'initContainers/args',
  'initContainers/command',
  'initContainers/env/value',
  'initContainers/volumeMounts/mountPath',
];

/** Where `$(VAR)` is replaced (kustomize's varReference defaults, same fields; its order is by kind). */
export const VAR_REFERENCE: FieldSpec[] = table([
  ...POD_VARS.map((p) => `CronJob spec/jobTemplate/spec/template/spec/${p}`),
  'CronJob spec/jobTemplate/spec/template/volumes/nfs/server',
  ...POD_VARS.map((p) => `DaemonSet spec/template/spec/${p}`),
  'DaemonSet spec/template/spec/volumes/nfs/server',
  ...POD_VARS.map((p) => `Deployment spec/template/spec/${p}`),
  'Deployment spec/template/spec/volumes/nfs/server',
  'Deployment spec/template/metadata/annotations',
  'Ingress spec/rules/host',
  'Ingress spec/tls/hosts',
  'Ingress spec/tls/secretName',
  ...POD_VARS.map((p) => `Job spec/template/spec/${p}`),
  'Job spec/template/spec/volumes/nfs/server',
  ...POD_VARS.map((p) => `Pod spec/${p}`),
  'Pod spec/volumes/nfs/server',
  ...POD_VARS.map((p) => `ReplicaSet spec/template/spec/${p}`),
  'ReplicaSet spec/template/spec/volumes/nfs/server',
  'Service spec/ports/port',
  'Service spec/ports/targetPort',
  ...POD_VARS.map((p) => `StatefulSet spec/template/spec/${p}`),
  'StatefulSet spec/volumeClaimTemplates/spec/nfs/server',
  'PersistentVolume spec/nfs/server',
  '- metadata/labels',
  '- metadata/annotations',
]);

const PATHS = new Map<string, string[]>();

/** Splits `metadata/annotations/a.io\/b` at unescaped slashes (cached: the same few paths recur). */
export function splitPath(path: string): string[] {
  let parts = PATHS.get(path);
  if (!parts) {
    parts = path.split(/(?<!\\)\//).map((p) => p.replaceAll('\\/', '/'));
    PATHS.set(path, parts);
  }
  return parts;
}

export function specMatches(spec: FieldSpec, obj: KubeObject): boolean {
  const gvk = gvkOf(obj);
  return (
    (!spec.kind || spec.kind === gvk.kind) &&
    (!spec.group || spec.group === gvk.group) &&
    (!spec.version || spec.version === gvk.version)
  );
}

/** What a missing last field is created as, when the spec says `create`: labels are maps, names scalars. */
export type CreateKind = 'map' | 'scalar' | 'none';

/**
 * Calls `set` on the value at the spec's path (every element of a list on the way) and stores what it returns.
 * Missing fields are created only when the spec says so; otherwise a missing path is not an error.
 */
export function applyFieldSpec(
  obj: KubeObject,
  spec: FieldSpec,
  set: (value: unknown) => unknown,
  create: CreateKind,
): void {
  if (!specMatches(spec, obj)) return;
  const path = splitPath(spec.path);
  const visit = (node: unknown, rest: string[], assign: (v: unknown) => void): void => {
    const [head, ...tail] = rest;
    if (head === undefined) {
      assign(set(node));
      return;
    }
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) {
      node.forEach((el, i) => {
        visit(el, rest, (v) => {
          node[i] = v;
        });
      });
      return;
    }
    if (typeof node !== 'object') {
      throw new RenderError(`${describe(obj)}: field "${spec.path}" crosses a scalar at "${head}"`);
    }
    const isSeq = head.endsWith('[]');
    const name = isSeq ? head.slice(0, -2) : head;
    const map = node as Record<string, unknown>;
    const canCreate = spec.create === true && create !== 'none' && !isSeq;
    let field = getOwn(map, name);
    const fresh = () => (tail.length > 0 ? {} : create === 'map' ? {} : '');
    if (field === undefined) {
      if (!canCreate) return;
      field = fresh();
      setOwn(map, name, field);
    } else if (field === null && (isSeq || canCreate)) {
      // kustomize turns an explicit null into the kind of node it expected there.
      field = isSeq ? [] : fresh();
      setOwn(map, name, field);
    }
    visit(field, tail, (v) => {
      setOwn(map, name, v);
    });
  };
  visit(obj, path, () => {});
}

/** A setter that adds entries to a map (labels, annotations, selectors), in the order of `keys`. */
export function setEntries(obj: KubeObject, spec: FieldSpec, keys: string[], values: Record<string, string>) {
  return (node: unknown): unknown => {
    if (node === null || node === undefined) return node;
    if (typeof node !== 'object' || Array.isArray(node)) {
      throw new RenderError(`${describe(obj)}: "${spec.path}" is not a map`);
    }
    for (const k of keys) setOwn(node, k, getOwn(values, k), describe(obj));
    return node;
  };
}
