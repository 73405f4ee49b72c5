// The overview: overall state, the node (with 24 h sparklines), the cluster, sync, and what needs attention.
import type { EventSummary } from '../../cluster/reads.ts';
import type { HostNow } from '../../host/sampler.ts';
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
import { type Spark, sparkline } from '../sparkline.ts';
import { type SyncPanelModel, syncPanelModel } from './sync-panel.ts';

export type { Overall };

/** Colour only where action is needed: a reading at its level's threshold is amber or red, the rest plain. */
export type Level = 'warn' | 'bad' | null;

export interface HostLevels {
  cpu: Level;
  mem: Level;
  disk: Level;
  temp: Level;
}

/** The thresholds, in one place for the overview and the kiosk: [amber from, red from]. */
const THRESHOLDS = { cpu: [0.8, 0.95], mem: [0.85, 0.95], disk: [0.8, 0.9], temp: [70, 80] } as const;

const levelOf = (v: number | null | undefined, [warn, bad]: readonly [number, number]): Level =>
  v === null || v === undefined ? null : v >= bad ? 'bad' : v >= warn ? 'warn' : null;

export function hostLevels(s: HostNow['sample'] | null | undefined): HostLevels {
  const share = (used: number | null | undefined, total: number | null | undefined) =>
    used !== null && used !== undefined && total ? used / total : null;
  return {
    cpu: levelOf(s?.cpu, THRESHOLDS.cpu),
    mem: levelOf(share(s?.memUsed, s?.memTotal), THRESHOLDS.mem),
    disk: levelOf(share(s?.diskUsed, s?.diskTotal), THRESHOLDS.disk),
    temp: levelOf(s?.temp, THRESHOLDS.temp),
  };
}

export interface HostPanelModel {
  now: HostNow | null;
  levels: HostLevels;
  memShare: number | null;
  diskShare: number | null;
  sparks: { cpu: Spark; mem: Spark; disk: Spark; temp: Spark; rx: Spark; tx: Spark };
  hasTemp: boolean;
  intervalS: number;
}

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

export function hostPanelModel(deps: WebDeps): HostPanelModel {
  const now = deps.host?.now() ?? null;
  const series = deps.host?.series() ?? { cpu: [], mem: [], disk: [], temp: [], rx: [], tx: [] };
  const s = now?.sample;
  const share = (used: number | null | undefined, total: number | null | undefined) =>
    used !== null && used !== undefined && total ? used / total : null;
  const unit: [number, number] = [0, 1];
  return {
    now,
    levels: hostLevels(s),
    memShare: share(s?.memUsed, s?.memTotal),
    diskShare: share(s?.diskUsed, s?.diskTotal),
    sparks: {
      cpu: sparkline(series.cpu, { range: unit }),
      mem: sparkline(series.mem, { range: unit }),
      disk: sparkline(series.disk, { range: unit }),
      temp: sparkline(series.temp),
      rx: sparkline(series.rx, { floor: 1024 }),
      tx: sparkline(series.tx, { floor: 1024 }),
    },
    hasTemp: (s?.temp ?? null) !== null || series.temp.some((v) => v !== null),
    intervalS: Math.round((deps.host?.intervalMs ?? 15_000) / 1000),
  };
}

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
