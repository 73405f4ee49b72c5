// Reads for the console: nodes, pods, workloads and events, each reduced to the few fields a page shows.
import type { ClusterClient, KubeObject } from './types.ts';

export interface NodeSummary {
  name: string;
  ready: boolean;
  /** Conditions other than Ready that are True: MemoryPressure, DiskPressure, PIDPressure, … */
  pressure: string[];
  version: string;
}

export interface PodSummary {
  namespace: string;
  name: string;
  phase: string;
  readyContainers: number;
  containers: string[];
  restarts: number;
  /** Why it is not running: ImagePullBackOff, CrashLoopBackOff, … (a waiting or terminated reason). */
  reason: string | null;
  message: string | null;
  /** The workload behind it: a Deployment via its ReplicaSet, or a StatefulSet/DaemonSet directly. */
  owner: { kind: string; name: string } | null;
  node: string | null;
  startedAt: string | null;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';
export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet'];

export interface WorkloadSummary {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  desired: number;
  ready: number;
  updated: number;
  images: string[];
  /** Set by a rollout restart (ours or kubectl's). */
  restartedAt: string | null;
  /** The controller has not caught up with the latest spec yet. */
  rollingOut: boolean;
  createdAt: string | null;
}

export interface EventSummary {
  namespace: string;
  type: string;
  reason: string;
  message: string;
  object: string;
  count: number;
  lastSeen: string | null;
}

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const a = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const s = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function nodeSummary(node: KubeObject): NodeSummary {
  const conditions = a(o(node.status).conditions).map(o);
  return {
    name: node.metadata.name,
    ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    pressure: conditions.filter((c) => c.type !== 'Ready' && c.status === 'True').map((c) => String(c.type)),
    version: s(o(o(node.status).nodeInfo).kubeletVersion) ?? '',
  };
}

function podOwner(pod: KubeObject): PodSummary['owner'] {
  const ref = a(pod.metadata.ownerReferences)
    .map(o)
    .find((r) => r.controller === true);
  if (!ref) return null;
  const kind = String(ref.kind);
  const name = String(ref.name);
  if (kind === 'ReplicaSet') {
    // A Deployment's ReplicaSet is named <deployment>-<pod-template-hash>.
    const hash = pod.metadata.labels?.['pod-template-hash'];
    if (hash && name.endsWith(`-${hash}`))
      return { kind: 'Deployment', name: name.slice(0, -hash.length - 1) };
  }
  return { kind, name };
}

export function podSummary(pod: KubeObject): PodSummary {
  const status = o(pod.status);
  const statuses = a(status.containerStatuses).map(o);
  let reason: string | null = s(status.reason);
  let message: string | null = s(status.message);
  for (const c of statuses) {
    const waiting = o(o(c.state).waiting);
    const terminated = o(o(c.state).terminated);
    const r = s(waiting.reason) ?? (s(terminated.reason) !== 'Completed' ? s(terminated.reason) : null);
    if (r && r !== 'ContainerCreating') {
      reason = r;
      message = s(waiting.message) ?? s(terminated.message);
      break;
    }
  }
  return {
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name,
    phase: s(status.phase) ?? 'Unknown',
    readyContainers: statuses.filter((c) => c.ready === true).length,
    containers: a(o(pod.spec).containers).map((c) => String(o(c).name)),
    restarts: statuses.reduce((sum, c) => sum + n(c.restartCount), 0),
    reason,
    message,
    owner: podOwner(pod),
    node: s(o(pod.spec).nodeName),
    startedAt: s(status.startTime),
  };
}

export function workloadSummary(w: KubeObject): WorkloadSummary {
  const spec = o(w.spec);
  const status = o(w.status);
  const kind = w.kind as WorkloadKind;
  const template = o(spec.template);
  const daemon = kind === 'DaemonSet';
  const desired = daemon
    ? n(status.desiredNumberScheduled)
    : typeof spec.replicas === 'number'
      ? spec.replicas
      : 1;
  return {
    kind,
    namespace: w.metadata.namespace ?? '',
    name: w.metadata.name,
    desired,
    ready: daemon ? n(status.numberReady) : n(status.readyReplicas),
    updated: daemon ? n(status.updatedNumberScheduled) : n(status.updatedReplicas),
    images: a(o(template.spec).containers).map((c) => String(o(c).image)),
    restartedAt: s(o(o(template.metadata).annotations)['kubectl.kubernetes.io/restartedAt']),
    rollingOut: n(status.observedGeneration) < n(w.metadata.generation),
    createdAt: w.metadata.creationTimestamp ?? null,
  };
}

export function eventSummary(e: KubeObject): EventSummary {
  const inv = o(e.involvedObject ?? e.regarding);
  return {
    namespace: e.metadata.namespace ?? '',
    type: s(e.type) ?? 'Normal',
    reason: s(e.reason) ?? '',
    message: s(e.message) ?? s(e.note) ?? '',
    object: `${s(inv.kind) ?? '?'}/${s(inv.name) ?? '?'}`,
    count: n(e.count) || 1,
    lastSeen:
      s(e.lastTimestamp) ?? s(e.eventTime) ?? s(e.firstTimestamp) ?? e.metadata.creationTimestamp ?? null,
  };
}

const WORKLOAD_API: Record<WorkloadKind, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
};

export function workloadApiVersion(kind: WorkloadKind): string {
  return WORKLOAD_API[kind];
}

export interface ClusterReadout {
  nodes: NodeSummary[];
  pods: PodSummary[];
  workloads: WorkloadSummary[];
  events: EventSummary[];
}

/** One list per kind, cluster-wide: a handful of requests however many objects the node runs. */
export async function readCluster(cluster: ClusterClient): Promise<ClusterReadout> {
  const [nodes, pods, events, ...sets] = await Promise.all([
    cluster.list('v1', 'Node'),
    cluster.list('v1', 'Pod'),
    cluster.list('v1', 'Event'),
    ...WORKLOAD_KINDS.map((k) => cluster.list(WORKLOAD_API[k], k)),
  ]);
  return {
    nodes: nodes.map(nodeSummary),
    pods: pods.map(podSummary),
    workloads: sets.flat().map(workloadSummary),
    events: events.map(eventSummary),
  };
}
