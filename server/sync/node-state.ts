// The node's overall state — one colour and word and the reasons for it — from the sync status and the live
// health of what runs: the one rule the console, the kiosk and the upward reports all show.
import { worstFirst } from '../apply/health/index.ts';
import type { ClusterSnapshot } from './cluster-view.ts';
import type { LiveSnapshot } from './live.ts';
import type { SyncStatus } from './status.ts';

/** `full`: the data volume is full — the node runs its LKG read-only and records no history. */
export type Overall = 'ok' | 'warn' | 'bad' | 'none' | 'full';

/** A reason for the overall state, with a count where it has one. */
export interface Reason {
  code:
    | 'ok'
    | 'storeFull'
    | 'failing'
    | 'degraded'
    | 'storeCorrupt'
    | 'massPruneRefused'
    | 'syncFailed'
    | 'rolledBack'
    | 'progressing'
    | 'clusterUnreadable'
    | 'offline'
    | 'upstreamBroken';
  n?: number;
}

export interface HealthCounts {
  Healthy: number;
  Progressing: number;
  Degraded: number;
  Unknown: number;
}

export interface NodeStateInputs {
  status: SyncStatus;
  health: HealthCounts;
  /** The live view could not read the cluster. */
  liveError: string | null;
  failingWorkloads: number;
}

export function nodeState(i: NodeStateInputs): { overall: Overall; reasons: Reason[] } {
  const bad: Reason[] = [];
  const warn: Reason[] = [];
  if (i.failingWorkloads > 0) bad.push({ code: 'failing', n: i.failingWorkloads });
  if (i.health.Degraded > 0) bad.push({ code: 'degraded', n: i.health.Degraded });
  // A damaged store or a refused mass prune is said by name: the box changes nothing until staff act.
  if (!i.status.store.ok) bad.push({ code: 'storeCorrupt' });
  else if (i.status.attempted?.reason === 'MassPruneRefused') bad.push({ code: 'massPruneRefused' });
  else if (i.status.attempted?.result === 'failed') bad.push({ code: 'syncFailed' });
  if (i.status.attempted?.result === 'rolled-back') warn.push({ code: 'rolledBack' });
  const unsettled = i.health.Progressing + i.health.Unknown;
  if (unsettled > 0) warn.push({ code: 'progressing', n: unsettled });
  if (i.liveError) warn.push({ code: 'clusterUnreadable' });
  if (i.status.upstream.reachable === false) warn.push({ code: 'offline' });
  if (i.status.upstream.broken) warn.push({ code: 'upstreamBroken' });
  if (i.status.store.full) return { overall: 'full', reasons: [{ code: 'storeFull' }, ...bad, ...warn] };
  if (!i.status.applied && i.status.store.ok) return { overall: 'none', reasons: [...bad, ...warn] };
  if (bad.length > 0) return { overall: 'bad', reasons: [...bad, ...warn] };
  if (warn.length > 0) return { overall: 'warn', reasons: warn };
  return { overall: 'ok', reasons: [{ code: 'ok' }] };
}

/** Where the inputs come from: the sync status in SQLite and the two in-memory views of the cluster. */
export interface StateSources {
  status(): SyncStatus;
  live: { snapshot(): LiveSnapshot };
  cluster: { snapshot(): ClusterSnapshot };
}

export function healthCounts(objects: LiveSnapshot['objects']): HealthCounts {
  const counts: HealthCounts = { Healthy: 0, Progressing: 0, Degraded: 0, Unknown: 0 };
  for (const o of objects) counts[o.health.status]++;
  return counts;
}

/** The objects that are not healthy, worst first (the order health defines). */
export function problemObjects(objects: LiveSnapshot['objects']): LiveSnapshot['objects'] {
  return objects.filter((o) => o.health.status !== 'Healthy').sort((a, b) => worstFirst(a.health, b.health));
}

export const failingWorkloads = (c: ClusterSnapshot): number =>
  c.workloads.filter((w) => w.state === 'failing').length;

export function stateInputs(s: StateSources): NodeStateInputs {
  const live = s.live.snapshot();
  return {
    status: s.status(),
    health: healthCounts(live.objects),
    liveError: live.error,
    failingWorkloads: failingWorkloads(s.cluster.snapshot()),
  };
}
