// A workload's page (its events) and the pod log view (which tail, whether following goes on), from the request.
import type { EventSummary } from '../../cluster/reads.ts';
import type { WorkloadView } from '../../sync/cluster-view.ts';
import { MAX_TAIL_LINES } from '../../sync/workloads.ts';

/** Following a log streams new lines (routes/live.ts) and stops by itself after a while (bounded). */
export const FOLLOW_FOR_MS = 5 * 60_000;
const TAILS = [50, 200, 1000];
const EVENTS_SHOWN = 50;

/** Events about the workload itself, its ReplicaSets (name-hash) and its pods. */
export function workloadEvents(events: readonly EventSummary[], w: WorkloadView): EventSummary[] {
  const podNames = new Set(w.pods.map((p) => p.name));
  return events
    .filter((e) => {
      if (e.namespace !== w.namespace) return false;
      const [kind, name = ''] = e.object.split('/');
      return (
        (kind === w.kind && name === w.name) ||
        (kind === 'ReplicaSet' && name.startsWith(`${w.name}-`)) ||
        (kind === 'Pod' && podNames.has(name))
      );
    })
    .slice(0, EVENTS_SHOWN);
}

export interface LogQuery {
  container?: unknown;
  tail?: unknown;
  follow?: unknown;
  since?: unknown;
}

/** What the log view asks for: a known container, a bounded tail, and whether following still goes on. */
export function logRequest(q: LogQuery, containers: readonly string[], now = Date.now()) {
  const asked = typeof q.container === 'string' ? q.container : '';
  const container = containers.includes(asked) ? asked : (containers[0] ?? asked);
  const tailAsked = Number.parseInt(String(q.tail ?? '200'), 10);
  const tail = TAILS.includes(tailAsked)
    ? tailAsked
    : Math.min(MAX_TAIL_LINES, Math.max(1, tailAsked || 200));
  const follow = q.follow === '1';
  const sinceAsked = Number(q.since);
  const since = follow && Number.isFinite(sinceAsked) && sinceAsked > 0 ? sinceAsked : now;
  const polling = follow && now - since < FOLLOW_FOR_MS;
  return { container, tail, follow, since, polling, followEnded: follow && !polling };
}

/** The number of lines in a log text (a final newline ends the last line, it does not start one). */
export function lineCount(text: string): number {
  return text === '' ? 0 : text.replace(/\n$/, '').split('\n').length;
}
