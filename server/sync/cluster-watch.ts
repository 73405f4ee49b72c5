// The console's cluster state kept by informers (nodes, pods, events, workloads): no periodic LISTs, and a change
// in the cluster reaches the views as it happens.
import type { KubeConfig } from '../cluster/kubeconfig.ts';
import {
  type ClusterReadout,
  eventSummary,
  nodeSummary,
  podSummary,
  WORKLOAD_KINDS,
  workloadApiVersion,
  workloadSummary,
} from '../cluster/reads.ts';
import type { KubeObject } from '../cluster/types.ts';
import { type Informer, startInformer } from '../cluster/watch.ts';

/** Cluster-wide collections the console reads, by the API path their informer watches. */
const WATCHED: { path: string; kind: string }[] = [
  { path: '/api/v1/nodes', kind: 'Node' },
  { path: '/api/v1/pods', kind: 'Pod' },
  { path: '/api/v1/events', kind: 'Event' },
  ...WORKLOAD_KINDS.map((kind) => ({
    path: `/apis/${workloadApiVersion(kind)}/${kind.toLowerCase()}s`,
    kind,
  })),
];

export interface WatchedStatus {
  /** When every informer was last known current (the oldest of them), or null before the first lists. */
  currentAt: number | null;
  /** The first informer's reason for being down, or null when all watch. */
  error: string | null;
  synced: boolean;
}

export interface WatchedState extends WatchedStatus {
  readout: ClusterReadout;
}

export interface ClusterWatch {
  /** How current the caches are (cheap). */
  status(): WatchedStatus;
  /** The caches summarised for the views, with their status. */
  state(): WatchedState;
  /** Called (at most once per tick) after anything in the caches changed. */
  onChange(fn: () => void): void;
  stop(): Promise<void>;
}

/** Watch events carry no kind on list items: the informer's kind is set back for the summaries. */
function withKind(kind: string, objects: KubeObject[]): KubeObject[] {
  return objects.map((o) => (o.kind === kind ? o : { ...o, kind }));
}

export async function watchCluster(kc: KubeConfig, onError: (err: unknown) => void): Promise<ClusterWatch> {
  const listeners: (() => void)[] = [];
  let queued = false;
  let stopped = false;
  const changed = () => {
    if (queued || stopped) return;
    queued = true;
    // A relist reports each object: the views hear of it once.
    setImmediate(() => {
      queued = false;
      if (!stopped) for (const fn of listeners) fn();
    });
  };
  const informers = new Map<string, Informer>();
  for (const w of WATCHED) {
    informers.set(w.kind, await startInformer(kc, w.path, { onChange: changed, onError }));
  }
  const listOf = (kind: string) => withKind(kind, informers.get(kind)?.list() ?? []);
  const status = (): WatchedStatus => {
    const statuses = [...informers.values()].map((i) => i.status());
    const synced = statuses.every((s) => s.synced);
    const error = statuses.find((s) => s.error)?.error ?? null;
    // While every watch runs the cache is current now; once one is down, it is as old as that one's last word.
    const currentAt = !synced
      ? null
      : error
        ? Math.min(...statuses.map((s) => s.currentAt ?? 0))
        : Date.now();
    return { currentAt, error, synced };
  };
  return {
    status,
    state() {
      return {
        ...status(),
        readout: {
          nodes: listOf('Node').map(nodeSummary),
          pods: listOf('Pod').map(podSummary),
          events: listOf('Event').map(eventSummary),
          workloads: WORKLOAD_KINDS.flatMap((k) => listOf(k).map(workloadSummary)),
        },
      };
    },
    onChange(fn) {
      listeners.push(fn);
    },
    async stop() {
      stopped = true;
      await Promise.all([...informers.values()].map((i) => i.stop()));
    },
  };
}
