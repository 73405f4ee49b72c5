// In-memory view of the cluster for the console, fed by informers (or, without them, periodic lists) so a page
// never waits for the API.
import type { Logger } from 'pino';
import {
  type EventSummary,
  type NodeSummary,
  type PodSummary,
  readCluster,
  type WorkloadKind,
  type WorkloadSummary,
} from '../cluster/reads.ts';
import type { ClusterClient, ObjectRef } from '../cluster/types.ts';
import { byText } from '../order.ts';
import type { ClusterWatch } from './cluster-watch.ts';
import { relevantEvents } from './events.ts';
import { Refreshing } from './periodic.ts';
import type { RunningInventory } from './running.ts';

export type WorkloadState = 'ok' | 'progressing' | 'failing';

export interface WorkloadView extends WorkloadSummary {
  state: WorkloadState;
  /** The first pod problem in plain terms (ImagePullBackOff: …), or why it is not ready yet. */
  problem: string | null;
  pods: PodSummary[];
  restarts: number;
  /** Listed in the running revision's inventory. */
  managed: boolean;
}

export interface ClusterSnapshot {
  refreshedAt: string | null;
  error: string | null;
  nodes: NodeSummary[];
  /** Namespaces the running revision puts objects in. */
  namespaces: string[];
  workloads: WorkloadView[];
  /** Pods in the managed namespaces. */
  pods: PodSummary[];
  /** Newest first, at most MAX_EVENTS: about what runs in the managed namespaces and the nodes (events.ts). */
  events: EventSummary[];
  /** Whole cluster. */
  podPhases: Record<string, number>;
  restarts: number;
  /** Warning events among `events` seen in the last hour. */
  warnings: number;
}

const MAX_EVENTS = 200;
const EMPTY: ClusterSnapshot = {
  refreshedAt: null,
  error: null,
  nodes: [],
  namespaces: [],
  workloads: [],
  pods: [],
  events: [],
  podPhases: {},
  restarts: 0,
  warnings: 0,
};

/** Pod reasons that mean "this will not fix itself soon". */
const FAILING = /BackOff|Err|Invalid|Failed|Evicted|OOMKilled|Error/;

function stateOf(w: WorkloadSummary, pods: PodSummary[]): { state: WorkloadState; problem: string | null } {
  const bad = pods.find((p) => p.reason && FAILING.test(p.reason));
  if (bad) return { state: 'failing', problem: `${bad.reason}${bad.message ? `: ${bad.message}` : ''}` };
  if (pods.some((p) => p.phase === 'Failed')) return { state: 'failing', problem: 'Failed' };
  if (w.rollingOut || w.ready < w.desired || w.updated < w.desired)
    return { state: 'progressing', problem: null };
  return { state: 'ok', problem: null };
}

export function buildSnapshot(
  read: Awaited<ReturnType<typeof readCluster>>,
  managed: { namespaces: Set<string>; workloads: Set<string> },
  now = Date.now(),
): ClusterSnapshot {
  const inScope = (ns: string) => managed.namespaces.has(ns);
  const pods = read.pods.filter((p) => inScope(p.namespace));
  const podsOf = new Map<string, PodSummary[]>();
  for (const p of pods) {
    if (!p.owner) continue;
    const key = `${p.owner.kind}/${p.namespace}/${p.owner.name}`;
    const mine = podsOf.get(key);
    if (mine) mine.push(p);
    else podsOf.set(key, [p]);
  }
  const workloads = read.workloads
    .filter((w) => inScope(w.namespace))
    .map((w): WorkloadView => {
      const key = `${w.kind}/${w.namespace}/${w.name}`;
      const mine = podsOf.get(key) ?? [];
      return {
        ...w,
        ...stateOf(w, mine),
        pods: mine,
        restarts: mine.reduce((sum, p) => sum + p.restarts, 0),
        managed: managed.workloads.has(key),
      };
    })
    .sort((x, y) => byText(x.namespace, y.namespace) || byText(x.name, y.name));
  const podPhases: Record<string, number> = {};
  let restarts = 0;
  for (const p of read.pods) {
    podPhases[p.phase] = (podPhases[p.phase] ?? 0) + 1;
    restarts += p.restarts;
  }
  const hourAgo = now - 3_600_000;
  const events = relevantEvents(read.events, {
    namespaces: managed.namespaces,
    workloads: read.workloads.filter((w) => inScope(w.namespace)),
    pods,
  })
    .sort((x, y) => byText(y.lastSeen ?? '', x.lastSeen ?? ''))
    .slice(0, MAX_EVENTS);
  const warnings = events.filter(
    (e) => e.type === 'Warning' && e.lastSeen && Date.parse(e.lastSeen) >= hourAgo,
  ).length;
  return {
    refreshedAt: new Date(now).toISOString(),
    error: null,
    nodes: read.nodes,
    namespaces: [...managed.namespaces].sort(),
    workloads,
    pods,
    events,
    podPhases,
    restarts,
    warnings,
  };
}

type Scope = { namespaces: Set<string>; workloads: Set<string> };

/** What the running revision manages (its inventory): its namespaces and its workloads. */
export function managedScope(refs: ObjectRef[]): Scope {
  const namespaces = new Set<string>();
  const workloads = new Set<string>();
  for (const r of refs) {
    if (r.kind === 'Namespace') namespaces.add(r.name);
    if (r.namespace) namespaces.add(r.namespace);
    if ((['Deployment', 'StatefulSet', 'DaemonSet'] as string[]).includes(r.kind))
      workloads.add(`${r.kind}/${r.namespace ?? ''}/${r.name}`);
  }
  return { namespaces, workloads };
}

export class ClusterView extends Refreshing {
  #snapshot: ClusterSnapshot = EMPTY;
  #running: RunningInventory;
  #cluster: ClusterClient;
  #log: Logger;
  #scope: { of: ObjectRef[]; scope: Scope } | null = null;
  #watch: ClusterWatch | null = null;
  /** The caches changed since the view was last built from them. */
  #dirty = true;
  #builtAt = 0;
  #builtFor: ObjectRef[] | null = null;
  /** Bumped on every refresh: lets the web layer cache what it rendered from us. */
  version = 0;

  constructor(running: RunningInventory, cluster: ClusterClient, log: Logger) {
    super();
    this.#running = running;
    this.#cluster = cluster;
    this.#log = log;
  }

  /**
   * From now on the view is built from the informers' caches: again on every change they report (so a page
   * follows the cluster within a second), and on the periodic tick only to age what it shows. No API request.
   */
  follow(watch: ClusterWatch): void {
    this.#watch = watch;
    watch.onChange(() => {
      this.#dirty = true;
      // A refresh already running (a list from before the watches) is joined, not repeated: build after it.
      void this.refresh().then(() => {
        if (this.#dirty) void this.refresh();
      });
    });
  }

  snapshot(): ClusterSnapshot {
    return this.#snapshot;
  }

  workload(kind: WorkloadKind, namespace: string, name: string): WorkloadView | null {
    return (
      this.#snapshot.workloads.find((w) => w.kind === kind && w.namespace === namespace && w.name === name) ??
      null
    );
  }

  /** Worked out again only when the running revision (and so its inventory array) changes. */
  #managed(): Scope {
    const refs = this.#running.refs();
    if (this.#scope?.of !== refs) this.#scope = { of: refs, scope: managedScope(refs) };
    return this.#scope.scope;
  }

  /**
   * Rebuilt when the caches or the running revision changed (or a minute passed: "warnings in the last hour" moves with time); otherwise
   * only the age is brought up to date, and the version moves only if the watches' health did, so open pages
   * are not told to refresh for nothing.
   */
  #fromWatch(watch: ClusterWatch): void {
    const now = Date.now();
    const st = watch.status();
    const at = st.currentAt === null ? null : new Date(st.currentAt).toISOString();
    // A new running revision changes what is in scope, with or without a change in the cluster.
    const refs = this.#running.refs();
    if (st.synced && (this.#dirty || refs !== this.#builtFor || now - this.#builtAt >= 60_000)) {
      this.#dirty = false;
      this.#builtAt = now;
      this.#builtFor = refs;
      this.#snapshot = {
        ...buildSnapshot(watch.state().readout, this.#managed(), now),
        refreshedAt: at,
        error: st.error,
      };
      this.version++;
      return;
    }
    // Before the first lists there is nothing to show but why (an API server that does not answer).
    const moved = st.error !== this.#snapshot.error;
    this.#snapshot = {
      ...this.#snapshot,
      refreshedAt: st.synced ? at : this.#snapshot.refreshedAt,
      error: st.error,
    };
    if (moved) this.version++;
  }

  protected async update(): Promise<void> {
    if (this.#watch) {
      this.#fromWatch(this.#watch);
      return;
    }
    try {
      const read = await readCluster(this.#cluster);
      this.#snapshot = buildSnapshot(read, this.#managed());
    } catch (err) {
      // Keep showing the last good view, marked with why it is not fresh.
      this.#log.warn({ err }, 'cluster view refresh failed');
      this.#snapshot = { ...this.#snapshot, error: (err as Error).message };
    }
    this.version++;
  }
}
