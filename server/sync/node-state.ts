// The node's overall state — one colour and word and the reasons for it — from the sync status and the live
// health of what runs: the one rule the console, the kiosk and the upward reports all show.
import type { SyncStatus } from './status.ts';

export type Overall = 'ok' | 'warn' | 'bad' | 'none';

/** A reason for the overall state, with a count where it has one. */
export interface Reason {
  code:
    | 'ok'
    | 'failing'
    | 'degraded'
    | 'syncFailed'
    | 'rolledBack'
    | 'progressing'
    | 'clusterUnreadable'
    | 'offline';
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
  if (i.status.attempted?.result === 'failed') bad.push({ code: 'syncFailed' });
  if (i.status.attempted?.result === 'rolled-back') warn.push({ code: 'rolledBack' });
  const unsettled = i.health.Progressing + i.health.Unknown;
  if (unsettled > 0) warn.push({ code: 'progressing', n: unsettled });
  if (i.liveError) warn.push({ code: 'clusterUnreadable' });
  if (i.status.upstream.reachable === false) warn.push({ code: 'offline' });
  if (!i.status.applied) return { overall: 'none', reasons: [...bad, ...warn] };
  if (bad.length > 0) return { overall: 'bad', reasons: [...bad, ...warn] };
  if (warn.length > 0) return { overall: 'warn', reasons: warn };
  return { overall: 'ok', reasons: [{ code: 'ok' }] };
}
