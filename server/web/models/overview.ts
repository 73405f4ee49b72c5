// The overview: overall state, the node (with 24 h sparklines), the cluster, sync, and what needs attention.
import type { EventSummary } from '../../cluster/reads.ts';
import type { LiveObject } from '../../sync/live.ts';
import {
  degradedObjects,
  failingWorkloads,
  healthCounts,
  type NodeState,
  nodeState,
  type Overall,
  problemObjects,
} from '../../sync/node-state.ts';
import type { WebDeps } from '../deps.ts';
import {
  type HostLevels,
  type HostPanelModel,
  hostLevels,
  hostPanelModel,
  type Level,
} from './host-panel.ts';
import { type SyncPanelModel, syncPanelModel } from './sync-panel.ts';

export type { HostLevels, HostPanelModel, Level, Overall };
export { hostLevels, hostPanelModel };

export interface ClusterPanelModel {
  nodesReady: number;
  nodesTotal: number;
  notReady: string[];
  phases: { phase: string; count: number }[];
  pods: number;
  restarts: number;
  warnings: number;
  recentWarnings: EventSummary[];
  failing: number;
  error: string | null;
  refreshedAt: string | null;
}

export interface ObjectsPanelModel {
  counts: Record<'Healthy' | 'Progressing' | 'Degraded' | 'Unknown', number>;
  total: number;
  /** Degraded first, then progressing/unknown; at most PROBLEMS_SHOWN. */
  problems: LiveObject[];
  liveError: string | null;
  liveAt: string | null;
}

/** Why the overall state is what it is: catalogue keys (with a count where it has one). */
export interface Why {
  key: string;
  n?: number;
}

export interface OverviewModel {
  overall: Overall;
  why: Why[];
  /** Sync and health, the word, and the causes in plain terms: the one state every screen shows. */
  node: NodeState;
  sync: SyncPanelModel;
  host: HostPanelModel;
  cluster: ClusterPanelModel;
  objects: ObjectsPanelModel;
}

export const PROBLEMS_SHOWN = 15;
const PHASE_ORDER = ['Running', 'Pending', 'Failed', 'Succeeded', 'Unknown'];

export function clusterPanelModel(deps: WebDeps): ClusterPanelModel {
  const c = deps.sync.cluster.snapshot();
  const phases = Object.entries(c.podPhases)
    .map(([phase, count]) => ({ phase, count }))
    .sort((a, b) => {
      const ia = PHASE_ORDER.indexOf(a.phase);
      const ib = PHASE_ORDER.indexOf(b.phase);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
  return {
    nodesReady: c.nodes.filter((n) => n.ready).length,
    nodesTotal: c.nodes.length,
    notReady: c.nodes.filter((n) => !n.ready).map((n) => n.name),
    phases,
    pods: phases.reduce((sum, p) => sum + p.count, 0),
    restarts: c.restarts,
    warnings: c.warnings,
    recentWarnings: c.events.filter((e) => e.type === 'Warning').slice(0, 3),
    failing: failingWorkloads(c).length,
    error: c.error,
    refreshedAt: c.refreshedAt,
  };
}

export function objectsPanelModel(deps: WebDeps): ObjectsPanelModel {
  const live = deps.sync.live.snapshot();
  const counts = healthCounts(live.objects);
  const problems: LiveObject[] = problemObjects(live.objects);
  return {
    counts,
    total: live.objects.length,
    problems: problems.slice(0, PROBLEMS_SHOWN),
    liveError: live.error,
    liveAt: live.refreshedAt,
  };
}

/** The node's state from the panels' readings (the sync status, the live objects, the cluster view). */
export function stateOf(
  deps: WebDeps,
  sync: SyncPanelModel,
): { overall: Overall; why: Why[]; node: NodeState } {
  const live = deps.sync.live.snapshot();
  const failing = failingWorkloads(deps.sync.cluster.snapshot());
  const node = nodeState({
    status: sync.status,
    health: healthCounts(live.objects),
    liveError: live.error,
    failing,
    degraded: degradedObjects(live.objects, failing),
    applying: sync.progress.running,
  });
  return {
    overall: node.overall,
    node,
    why: node.reasons.map((r) => ({ key: `why.${r.code}`, ...(r.n === undefined ? {} : { n: r.n }) })),
  };
}

export function overviewModel(deps: WebDeps): OverviewModel {
  const sync = syncPanelModel(deps);
  const objects = objectsPanelModel(deps);
  const cluster = clusterPanelModel(deps);
  return {
    ...stateOf(deps, sync),
    sync,
    host: hostPanelModel(deps),
    cluster,
    objects,
  };
}
