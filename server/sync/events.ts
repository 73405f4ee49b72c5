// Which cluster events the console shows: those about what Outpost looks after (its workloads, their ReplicaSets
// and pods, the nodes), only while that object still exists, each repeated event once. Routine events about
// other objects are left out; their warnings stay.
import type { EventSummary, PodSummary, WorkloadSummary } from '../cluster/reads.ts';

export interface EventScope {
  namespaces: Set<string>;
  /** The workloads in the managed namespaces, as listed now. */
  workloads: WorkloadSummary[];
  /** The pods in the managed namespaces, as listed now. */
  pods: PodSummary[];
}

const CONTROLLED = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Whether an event is about something that is there now and that the console shows. */
function relevant(
  e: EventSummary,
  s: EventScope,
  live: Set<string>,
  deployments: WorkloadSummary[],
): boolean {
  if (e.namespace === '') return true;
  if (!s.namespaces.has(e.namespace)) return false;
  const slash = e.object.indexOf('/');
  const kind = e.object.slice(0, slash);
  const name = e.object.slice(slash + 1);
  // An event about a pod or workload that is gone is aged out with it (a warning no longer stays an hour).
  if (kind === 'Pod' || CONTROLLED.has(kind)) return live.has(`${e.namespace}/${e.object}`);
  // A ReplicaSet is named after its Deployment and a hash.
  if (kind === 'ReplicaSet')
    return deployments.some((d) => d.namespace === e.namespace && name.startsWith(`${d.name}-`));
  return e.type === 'Warning';
}

/** Filtered, then one entry per (object, type, reason, message) with counts added and the latest time kept. */
export function relevantEvents(events: EventSummary[], s: EventScope): EventSummary[] {
  const live = new Set<string>([
    ...s.pods.map((p) => `${p.namespace}/Pod/${p.name}`),
    ...s.workloads.map((w) => `${w.namespace}/${w.kind}/${w.name}`),
  ]);
  const deployments = s.workloads.filter((w) => w.kind === 'Deployment');
  const merged = new Map<string, EventSummary>();
  for (const e of events) {
    if (!relevant(e, s, live, deployments)) continue;
    const key = JSON.stringify([e.namespace, e.object, e.type, e.reason, e.message]);
    const seen = merged.get(key);
    if (!seen) merged.set(key, { ...e });
    else {
      seen.count += e.count;
      if ((e.lastSeen ?? '') > (seen.lastSeen ?? '')) seen.lastSeen = e.lastSeen;
    }
  }
  return [...merged.values()];
}
