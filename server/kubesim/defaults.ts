// Server-side defaulting, so stored objects look like a real cluster's (and re-applies stay no-ops).
import { structural } from './crdschema.ts';
import type { ResourceType } from './kinds.ts';
import { arr, child, isObject, type JsonObject, str } from './util.ts';

export interface Allocator {
  clusterIP(): string;
  nodePort(): number;
}

export interface DefaultContext {
  rt: ResourceType;
  /** The stored object on update, undefined on create. */
  old: JsonObject | undefined;
  alloc: Allocator;
}

function set(o: JsonObject, key: string, value: unknown): void {
  if (o[key] === undefined) o[key] = value;
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one branch per kind's API defaults, as the API server's defaulting functions are; each branch is short.
export function applyDefaults(o: JsonObject, ctx: DefaultContext): void {
  if (ctx.rt.crd) {
    structural(o, ctx.rt.crd.schema);
    return;
  }
  const spec = isObject(o.spec) ? o.spec : undefined;
  const meta = child(o, 'metadata');
  switch (ctx.rt.kind) {
    case 'Pod':
      if (spec) defaultPodSpec(spec, !ctx.old);
      break;
    case 'Deployment':
      if (!spec) break;
      set(spec, 'replicas', 1);
      set(spec, 'revisionHistoryLimit', 10);
      set(spec, 'progressDeadlineSeconds', 600);
      defaultStrategy(spec, 'strategy', { maxUnavailable: '25%', maxSurge: '25%' });
      templateDefaults(spec);
      break;
    case 'ReplicaSet':
      if (!spec) break;
      set(spec, 'replicas', 1);
      templateDefaults(spec);
      break;
    case 'StatefulSet':
      if (!spec) break;
      set(spec, 'replicas', 1);
      set(spec, 'podManagementPolicy', 'OrderedReady');
      set(spec, 'revisionHistoryLimit', 10);
      set(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
      defaultStrategy(spec, 'updateStrategy', { partition: 0 });
      for (const t of arr(spec.volumeClaimTemplates).filter(isObject)) {
        set(t, 'apiVersion', 'v1');
        set(t, 'kind', 'PersistentVolumeClaim');
        if (isObject(t.spec)) set(t.spec, 'volumeMode', 'Filesystem');
        set(t, 'status', { phase: 'Pending' });
      }
      templateDefaults(spec);
      break;
    case 'DaemonSet':
      if (!spec) break;
      set(spec, 'revisionHistoryLimit', 10);
      defaultStrategy(spec, 'updateStrategy', { maxUnavailable: 1, maxSurge: 0 });
      templateDefaults(spec);
      break;
    case 'Job':
      if (spec) defaultJobSpec(spec);
      break;
    case 'CronJob':
      if (!spec) break;
      set(spec, 'concurrencyPolicy', 'Allow');
      set(spec, 'suspend', false);
      set(spec, 'successfulJobsHistoryLimit', 3);
      set(spec, 'failedJobsHistoryLimit', 1);
      if (isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec))
        defaultJobSpec(spec.jobTemplate.spec);
      break;
    case 'Service':
      if (spec) defaultService(spec, ctx);
      break;
    case 'Secret':
      set(o, 'type', 'Opaque');
      if (isObject(o.stringData)) {
        const data = child(o, 'data');
        for (const [k, v] of Object.entries(o.stringData))
          data[k] = Buffer.from(String(v)).toString('base64');
        delete o.stringData;
      }
      break;
    case 'Namespace':
      child(meta, 'labels')['kubernetes.io/metadata.name'] = meta.name;
      set(child(o, 'spec'), 'finalizers', ['kubernetes']);
      break;
    case 'PersistentVolumeClaim':
      if (!spec) break;
      set(spec, 'volumeMode', 'Filesystem');
      if (!ctx.old) set(spec, 'storageClassName', 'local-path');
      break;
    case 'NetworkPolicy':
      if (!spec) break;
      set(spec, 'policyTypes', spec.egress === undefined ? ['Ingress'] : ['Ingress', 'Egress']);
      break;
    case 'PriorityClass':
      set(o, 'preemptionPolicy', 'PreemptLowerPriority');
      break;
    case 'StorageClass':
      set(o, 'reclaimPolicy', 'Delete');
      set(o, 'volumeBindingMode', 'Immediate');
      break;
    case 'CustomResourceDefinition':
      if (spec) set(spec, 'conversion', { strategy: 'None' });
      break;
  }
}

function defaultStrategy(spec: JsonObject, field: string, rolling: JsonObject): void {
  const strategy = child(spec, field);
  set(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    for (const [k, v] of Object.entries(rolling)) set(ru, k, v);
  }
}

function templateDefaults(spec: JsonObject): void {
  const tpl = isObject(spec.template) ? spec.template : undefined;
  if (tpl && isObject(tpl.spec)) defaultPodSpec(tpl.spec, false);
}

function defaultJobSpec(spec: JsonObject): void {
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  set(spec, 'parallelism', 1);
  set(spec, 'backoffLimit', 6);
  set(spec, 'completionMode', 'NonIndexed');
  set(spec, 'suspend', false);
  set(spec, 'podReplacementPolicy', 'TerminatingOrFailed');
  templateDefaults(spec);
}

function imagePullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  const lastPart = image.split('/').pop() ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const tag = lastPart.includes(':') ? lastPart.split(':').pop() : undefined;
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

export function defaultPodSpec(spec: JsonObject, isPodCreate: boolean): void {
  set(spec, 'restartPolicy', 'Always');
  set(spec, 'terminationGracePeriodSeconds', 30);
  set(spec, 'dnsPolicy', 'ClusterFirst');
  set(spec, 'securityContext', {});
  set(spec, 'schedulerName', 'default-scheduler');
  for (const field of ['containers', 'initContainers']) {
    for (const c of arr(spec[field]).filter(isObject)) {
      set(c, 'terminationMessagePath', '/dev/termination-log');
      set(c, 'terminationMessagePolicy', 'File');
      set(c, 'imagePullPolicy', imagePullPolicy(str(c.image)));
      set(c, 'resources', {});
      for (const p of arr(c.ports).filter(isObject)) set(p, 'protocol', 'TCP');
      for (const e of arr(c.env).filter(isObject)) {
        const from = isObject(e.valueFrom) ? e.valueFrom : undefined;
        if (from && isObject(from.fieldRef)) set(from.fieldRef, 'apiVersion', 'v1');
      }
    }
  }
  for (const v of arr(spec.volumes).filter(isObject)) {
    for (const src of ['configMap', 'secret']) {
      const s = v[src];
      if (isObject(s)) set(s, 'defaultMode', 420);
    }
  }
  if (isPodCreate) {
    // What admission plugins add to every new pod: service account, priority, default tolerations.
    set(spec, 'serviceAccountName', 'default');
    set(spec, 'serviceAccount', spec.serviceAccountName);
    set(spec, 'enableServiceLinks', true);
    set(spec, 'priority', 0);
    set(spec, 'preemptionPolicy', 'PreemptLowerPriority');
    const tolerations = arr(spec.tolerations).filter(isObject);
    for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
      if (!tolerations.some((t) => t.key === key)) {
        tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
      }
    }
    spec.tolerations = tolerations;
  }
}

function defaultService(spec: JsonObject, ctx: DefaultContext): void {
  set(spec, 'type', 'ClusterIP');
  const type = spec.type;
  const oldSpec = ctx.old && isObject(ctx.old.spec) ? ctx.old.spec : undefined;
  set(spec, 'sessionAffinity', 'None');
  if (type === 'ExternalName') return;
  // Allocated values survive an update that leaves them out, as the real registry patches them back in.
  if (oldSpec) {
    set(spec, 'clusterIP', oldSpec.clusterIP);
    set(spec, 'clusterIPs', oldSpec.clusterIPs);
  }
  if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = ctx.alloc.clusterIP();
  set(spec, 'clusterIPs', [spec.clusterIP]);
  if (spec.clusterIP !== 'None') {
    set(spec, 'ipFamilies', ['IPv4']);
    set(spec, 'ipFamilyPolicy', 'SingleStack');
  }
  set(spec, 'internalTrafficPolicy', 'Cluster');
  const oldPorts = oldSpec ? arr(oldSpec.ports).filter(isObject) : [];
  for (const p of arr(spec.ports).filter(isObject)) {
    set(p, 'protocol', 'TCP');
    set(p, 'targetPort', p.port);
    if (type === 'NodePort' || type === 'LoadBalancer') {
      const before = oldPorts.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === p.protocol);
      set(p, 'nodePort', before?.nodePort ?? ctx.alloc.nodePort());
    }
  }
  if (type === 'NodePort' || type === 'LoadBalancer') set(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') set(spec, 'allocateLoadBalancerNodePorts', true);
}
