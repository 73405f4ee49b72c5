// After a restart: is the workload still rolling out, and how many of its pods are new and ready.
import type { WorkloadView } from '../../sync/cluster-view.ts';

/** A restart older than this is history, not something to follow on the page. */
export const FOLLOW_RESTART_MS = 15 * 60_000;

export interface Rollout {
  /** Pods of the new template that are ready, of how many wanted. */
  ready: number;
  want: number;
  done: boolean;
}

/** The rollout after a recent restart, or null when there was none lately. */
export function rolloutOf(w: WorkloadView, now = Date.now()): Rollout | null {
  if (!w.restartedAt) return null;
  const since = Date.parse(w.restartedAt);
  if (!Number.isFinite(since) || now - since > FOLLOW_RESTART_MS) return null;
  // A pod started before the restart is an old one still running (or terminating): not done yet. Start times
  // have whole seconds (RFC 3339), so a pod started in the restart's own second is a new one.
  const second = Math.floor(since / 1000) * 1000;
  const old = w.pods.filter((p) => p.startedAt !== null && Date.parse(p.startedAt) < second).length;
  const progressing = w.rollingOut || w.updated < w.desired || w.ready < w.desired || old > 0;
  return { ready: Math.min(w.updated, w.ready), want: w.desired, done: !progressing };
}
