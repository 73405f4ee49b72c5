// Name references: when a ConfigMap becomes `site-a-settings-7h2k9`, every field that named it follows.
//
// The table is kustomize v5's nameReference configuration (api/internal/konfig/builtinpluginconsts/
// namereference.go), built here from the patterns it repeats; the matching rules are its nameref filter's:
// a field is renamed when exactly one candidate of the referred kind used to carry that name, in a namespace
// the referrer can see, preferring candidates that went through the same prefixes and suffixes.
import { RenderError } from '../errors.ts';
import { applyFieldSpec, type FieldSpec } from './fieldspec.ts';
import {
  curId,
  describe,
  effectiveNamespace,
  type Gvk,
  gvkSelected,
  isRecord,
  prevIds,
  type Res,
  type ResId,
  str,
} from './resource.ts';

export interface BackRef {
  referral: Partial<Gvk>;
  referrers: FieldSpec[];
}

function spec(gvk: string, path: string): FieldSpec {
  const [, version, group, kind] = /^(?:([^@]+)@)?(?:([^:]+):)?(.+)$/.exec(gvk) ?? [];
  const s: FieldSpec = { path, kind: kind as string };
  if (version) s.version = version;
  if (group) s.group = group;
  return s;
}

const WORKLOADS = ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job'];

/** The same pod-spec paths under every kind that embeds a pod spec. */
function inPodSpecs(paths: string[], cronJob = true): FieldSpec[] {
  return [
    ...paths.map((p) => spec('v1@Pod', `spec/${p}`)),
    ...paths.map((p) => spec('PodTemplate', `template/spec/${p}`)),
    ...WORKLOADS.flatMap((k) => paths.map((p) => spec(k, `spec/template/spec/${p}`))),
    ...(cronJob ? paths.map((p) => spec('CronJob', `spec/jobTemplate/spec/template/spec/${p}`)) : []),
  ];
}

const CONFIGMAP_PATHS = [
  'volumes/configMap/name',
  'containers/env/valueFrom/configMapKeyRef/name',
  'initContainers/env/valueFrom/configMapKeyRef/name',
  'containers/envFrom/configMapRef/name',
  'initContainers/envFrom/configMapRef/name',
  'volumes/projected/sources/configMap/name',
];
const SECRET_PATHS = [
  'volumes/secret/secretName',
  'containers/env/valueFrom/secretKeyRef/name',
  'initContainers/env/valueFrom/secretKeyRef/name',
  'containers/envFrom/secretRef/name',
  'initContainers/envFrom/secretRef/name',
  'imagePullSecrets/name',
  'volumes/projected/sources/secret/name',
];
// Fields kustomize lists once per pod-owning kind (without PodTemplate and ReplicaSet, unlike the above).
const podField = (p: string): FieldSpec[] =>
  ['Pod', 'StatefulSet', 'Deployment', 'ReplicationController', 'CronJob', 'Job', 'DaemonSet'].map((k) =>
    spec(
      k,
      k === 'Pod'
        ? `spec/${p}`
        : k === 'CronJob'
          ? `spec/jobTemplate/spec/template/spec/${p}`
          : `spec/template/spec/${p}`,
    ),
  );
const RBAC = 'rbac.authorization.k8s.io';
const scaleTarget = [spec('HorizontalPodAutoscaler', 'spec/scaleTargetRef/name')];

export const BACK_REFERENCES: BackRef[] = [
  { referral: { kind: 'Deployment' }, referrers: scaleTarget },
  { referral: { kind: 'ReplicationController' }, referrers: scaleTarget },
  { referral: { kind: 'ReplicaSet' }, referrers: scaleTarget },
  { referral: { kind: 'StatefulSet' }, referrers: scaleTarget },
  {
    referral: { kind: 'ConfigMap', version: 'v1' },
    referrers: [
      ...inPodSpecs(CONFIGMAP_PATHS),
      spec('Node', 'spec/configSource/configMap'),
      spec('Role', 'rules/resourceNames'),
      spec('ClusterRole', 'rules/resourceNames'),
      spec('Ingress', 'metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap'),
    ],
  },
  {
    referral: { kind: 'Secret', version: 'v1' },
    referrers: [
      ...inPodSpecs(SECRET_PATHS),
      spec('Ingress', 'spec/tls/secretName'),
      spec('Ingress', 'metadata/annotations/ingress.kubernetes.io\\/auth-secret'),
      spec('Ingress', 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret'),
      spec('Ingress', 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret'),
      spec('ServiceAccount', 'imagePullSecrets/name'),
      ...['secretName', 'adminSecretName', 'userSecretName', 'secretRef'].map((p) =>
        spec('StorageClass', `parameters/${p}`),
      ),
      spec('Role', 'rules/resourceNames'),
      spec('ClusterRole', 'rules/resourceNames'),
      spec('v1@serving.knative.dev:Service', 'spec/template/spec/containers/env/valueFrom/secretKeyRef/name'),
      spec('PersistentVolume', 'spec/azureFile/secretName'),
    ],
  },
  {
    referral: { kind: 'Service', version: 'v1' },
    referrers: [
      spec('apps:StatefulSet', 'spec/serviceName'),
      spec('Ingress', 'spec/rules/http/paths/backend/serviceName'),
      spec('Ingress', 'spec/backend/serviceName'),
      spec('Ingress', 'spec/rules/http/paths/backend/service/name'),
      spec('Ingress', 'spec/defaultBackend/service/name'),
      spec('apiregistration.k8s.io:APIService', 'spec/service/name'),
      spec('admissionregistration.k8s.io:ValidatingWebhookConfiguration', 'webhooks/clientConfig/service'),
      spec('admissionregistration.k8s.io:MutatingWebhookConfiguration', 'webhooks/clientConfig/service'),
    ],
  },
  { referral: { kind: 'Role', group: RBAC }, referrers: [spec(`${RBAC}:RoleBinding`, 'roleRef/name')] },
  {
    referral: { kind: 'ClusterRole', group: RBAC },
    referrers: [
      spec(`${RBAC}:RoleBinding`, 'roleRef/name'),
      spec(`${RBAC}:ClusterRoleBinding`, 'roleRef/name'),
    ],
  },
  {
    referral: { kind: 'ServiceAccount', version: 'v1' },
    referrers: [
      spec(`${RBAC}:RoleBinding`, 'subjects'),
      spec(`${RBAC}:ClusterRoleBinding`, 'subjects'),
      ...podField('serviceAccountName'),
    ],
  },
  {
    referral: { kind: 'PersistentVolumeClaim', version: 'v1' },
    referrers: podField('volumes/persistentVolumeClaim/claimName'),
  },
  {
    referral: { kind: 'PersistentVolume', version: 'v1' },
    referrers: [spec('PersistentVolumeClaim', 'spec/volumeName'), spec('ClusterRole', 'rules/resourceNames')],
  },
  {
    referral: { kind: 'StorageClass', version: 'v1', group: 'storage.k8s.io' },
    referrers: [
      spec('PersistentVolume', 'spec/storageClassName'),
      spec('PersistentVolumeClaim', 'spec/storageClassName'),
      spec('StatefulSet', 'spec/volumeClaimTemplates/spec/storageClassName'),
    ],
  },
  {
    referral: { kind: 'PriorityClass', version: 'v1', group: 'scheduling.k8s.io' },
    referrers: podField('priorityClassName'),
  },
  {
    // kustomize writes this group with its version ("networking.k8s.io/v1"), so it never matches: kept as is.
    referral: { kind: 'IngressClass', version: 'v1', group: 'networking.k8s.io/v1' },
    referrers: [spec('Ingress', 'spec/ingressClassName')],
  },
  {
    referral: { kind: 'ValidatingAdmissionPolicy', group: 'admissionregistration.k8s.io' },
    referrers: [spec('admissionregistration.k8s.io:ValidatingAdmissionPolicyBinding', 'spec/policyName')],
  },
];

/** Does `r` carry the same trailing prefixes and suffixes as the referrer (empty matches all, if allowed)? */
function sameAffixes(r: Res, referrer: Res, allowEmpty: boolean): boolean {
  const ends = (a: string[], b: string[]) => {
    const [short, long] = a.length <= b.length ? [a, b] : [b, a];
    return short.every((v, i) => v === long[long.length - short.length + i]);
  };
  const prefixOk =
    (allowEmpty && (r.prefixes.length === 0 || referrer.prefixes.length === 0)) ||
    ends(r.prefixes, referrer.prefixes);
  const suffixOk =
    (allowEmpty && (r.suffixes.length === 0 || referrer.suffixes.length === 0)) ||
    ends(r.suffixes, referrer.suffixes);
  return prefixOk && suffixOk;
}

/** What the pass needs about every object, computed once: names do not change while references are fixed. */
interface Index {
  list: Res[];
  cur: Map<Res, ResId>;
  org: Map<Res, ResId>;
  /** Objects by every name they had before the build renamed them (only renamed objects can be referred to). */
  byPreviousName: Map<string, Res[]>;
}

function buildIndex(list: Res[]): Index {
  const ix: Index = { list, cur: new Map(), org: new Map(), byPreviousName: new Map() };
  for (const r of list) {
    const prev = prevIds(r);
    ix.cur.set(r, curId(r));
    ix.org.set(r, prev[0] ?? curId(r));
    for (const name of new Set(prev.map((p) => p.name))) {
      const at = ix.byPreviousName.get(name);
      if (at) at.push(r);
      else ix.byPreviousName.set(name, [r]);
    }
  }
  return ix;
}

interface Context {
  ix: Index;
  referrer: Res;
  rid: ResId;
  referral: Partial<Gvk>;
  path: string;
  /** The namespaces of a RoleBinding's ServiceAccount subjects: it may name objects there too. */
  subjectNamespaces: Set<string>;
}

/** May the referrer name this object: same namespace, cluster-scoped, or a RoleBinding subject's namespace. */
function visible(ctx: Context, t: Res): boolean {
  if (ctx.rid.clusterScoped) return true;
  const id = ctx.ix.cur.get(t) as ResId;
  if (id.clusterScoped || effectiveNamespace(id) === effectiveNamespace(ctx.rid)) return true;
  return ctx.subjectNamespaces.has(str(t.obj.metadata.namespace));
}

function subjectNamespaces(referrer: Res): Set<string> {
  const out = new Set<string>();
  if (referrer.obj.kind !== 'RoleBinding') return out;
  const subjects = (referrer.obj as { subjects?: unknown }).subjects;
  if (!Array.isArray(subjects)) return out;
  for (const s of subjects) {
    if (isRecord(s) && s.kind === 'ServiceAccount' && typeof s.namespace === 'string') out.add(s.namespace);
  }
  return out;
}

type SameFn = (rs: Res[]) => boolean;
const sameNames: SameFn = (rs) => rs.every((r) => r.obj.metadata.name === rs[0]?.obj.metadata.name);
const sameNamesAndNamespaces: SameFn = (rs) =>
  sameNames(rs) &&
  rs.every((r) => (r.obj.metadata.namespace ?? '') === (rs[0]?.obj.metadata.namespace ?? ''));

/** The one object the old name now stands for, or null when the name is not one of ours. */
function selectReferral(
  ctx: Context,
  oldName: string,
  inPool: (r: Res) => boolean,
  same: SameFn,
): Res | null {
  const { referrer, rid, ix } = ctx;
  let c = (ix.byPreviousName.get(oldName) ?? []).filter((r) => visible(ctx, r) && inPool(r));
  c = c.filter((r) => prevIds(r).some((id) => gvkSelected(id.gvk, ctx.referral)));
  if (ctx.path.endsWith('roleRef/name')) {
    const roleRef = (referrer.obj as { roleRef?: unknown }).roleRef;
    if (isRecord(roleRef) && typeof roleRef.apiGroup === 'string' && typeof roleRef.kind === 'string') {
      const want = { group: roleRef.apiGroup, kind: roleRef.kind };
      c = c.filter((r) => prevIds(r).some((id) => gvkSelected(id.gvk, want)));
    }
  }
  if (!rid.clusterScoped) {
    c = c.filter((r) => {
      const id = ix.cur.get(r) as ResId;
      return (
        id.clusterScoped ||
        r.obj.kind === 'ServiceAccount' ||
        effectiveNamespace(id) === effectiveNamespace(rid)
      );
    });
  }
  if (c.length === 1) return c[0] as Res;
  c = c.filter((r) => sameAffixes(r, referrer, true));
  if (c.length > 1) c = c.filter((r) => sameAffixes(r, referrer, false));
  if (c.length === 1) return c[0] as Res;
  if (c.length === 0) return null;
  if (same(c)) return c[0] as Res;
  throw new RenderError(
    `${describe(referrer.obj)} (${referrer.file}): "${oldName}" in ${ctx.path} could mean any of ${c.map((r) => describe(r.obj)).join(', ')}`,
  );
}

function setScalar(ctx: Context, value: unknown): unknown {
  if (value === null || typeof value === 'object') return value;
  const old = String(value);
  const r = selectReferral(ctx, old, () => true, sameNames);
  return r && str(r.obj.metadata.name) !== old ? r.obj.metadata.name : value;
}

function setMapping(ctx: Context, node: Record<string, unknown>): void {
  if (!Object.hasOwn(node, 'name')) {
    throw new RenderError(`${describe(ctx.referrer.obj)} (${ctx.referrer.file}): ${ctx.path} has no name`);
  }
  let inPool: (r: Res) => boolean = () => true;
  if (Object.hasOwn(node, 'namespace')) {
    // Objects that started in that namespace, else (when there are none) the ones now in it.
    const ns = String(node.namespace);
    const { ix } = ctx;
    const byOrigin = (r: Res) => effectiveNamespace(ix.org.get(r) as ResId) === ns;
    const anyByOrigin = ix.list.some((r) => visible(ctx, r) && byOrigin(r));
    inPool = anyByOrigin ? byOrigin : (r) => effectiveNamespace(ix.cur.get(r) as ResId) === ns;
  }
  const old = String(node.name);
  const r = selectReferral(ctx, old, inPool, sameNamesAndNamespaces);
  if (!r) return;
  const namespace = str(r.obj.metadata.namespace);
  if (r.obj.metadata.name === old && namespace === '') return;
  node.name = r.obj.metadata.name;
  if (namespace !== '') node.namespace = namespace;
}

function set(ctx: Context, node: unknown): unknown {
  if (node === null || node === undefined) return node;
  if (Array.isArray(node)) {
    node.forEach((el, i) => {
      if (el === null || el === undefined) return;
      if (isRecord(el)) setMapping(ctx, el);
      else if (Array.isArray(el)) {
        throw new RenderError(`${describe(ctx.referrer.obj)}: ${ctx.path} must hold names or maps`);
      } else node[i] = setScalar(ctx, el);
    });
    return node;
  }
  if (isRecord(node)) {
    setMapping(ctx, node);
    return node;
  }
  return setScalar(ctx, node);
}

type Specs = Map<string, { referral: Partial<Gvk>; spec: FieldSpec }[]>;

/** Every referrer field spec, by the referrer's kind ('' for specs that apply to every kind). */
const BY_KIND = new WeakMap<BackRef[], Specs>();
function byKind(refs: BackRef[]): Specs {
  let map = BY_KIND.get(refs);
  if (!map) {
    const m: Specs = new Map();
    for (const backRef of refs) {
      for (const spec of backRef.referrers) {
        const kind = spec.kind ?? '';
        m.set(kind, [...(m.get(kind) ?? []), { referral: backRef.referral, spec }]);
      }
    }
    BY_KIND.set(refs, m);
    map = m;
  }
  return map;
}

/** Rewrites every reference to an object whose name changed during the build (prefix, suffix, hash). */
export function fixNameReferences(list: Res[], refs: BackRef[] = BACK_REFERENCES): void {
  // Nothing was renamed, so nothing can need fixing.
  if (!list.some((r) => r.prev.length > 0)) return;
  const ix = buildIndex(list);
  const table = byKind(refs);
  const everyKind = table.get('') ?? [];
  for (const referrer of list) {
    const gvk = (ix.org.get(referrer) as ResId).gvk;
    const own = table.get(gvk.kind);
    const specs = own ? [...own, ...everyKind] : everyKind;
    if (specs.length === 0) continue;
    const rid = ix.cur.get(referrer) as ResId;
    const namespaces = subjectNamespaces(referrer);
    for (const { referral, spec } of specs) {
      if (!gvkSelected(gvk, spec)) continue;
      const ctx: Context = { ix, referrer, rid, referral, path: spec.path, subjectNamespaces: namespaces };
      applyFieldSpec(referrer.obj, { path: spec.path }, (node) => set(ctx, node), 'none');
    }
  }
}
