// The kiosk board: one colour and word for the whole box, the running revision, upstream, heat and disk, failures.
import type { WebDeps } from '../deps.ts';
import { clusterPanelModel, type Overall, objectsPanelModel, overallOf, type Why } from './overview.ts';
import { syncPanelModel } from './sync-panel.ts';

export interface KioskFailure {
  kind: string;
  namespace: string;
  name: string;
  problem: string | null;
}

export interface KioskModel {
  overall: Overall;
  why: Why[];
  applied: { revision: string; version: string | null; at: string } | null;
  upstream: {
    reachable: boolean | null;
    broken: boolean;
    brokenSince: string | null;
    lastContact: string | null;
    unreachableSince: string | null;
  };
  running: { stage: string | null } | null;
  temp: number | null;
  diskShare: number | null;
  failures: KioskFailure[];
  moreFailures: number;
  generatedAt: string;
}

export const KIOSK_FAILURES_SHOWN = 5;

export function kioskModel(deps: WebDeps, now = new Date()): KioskModel {
  const sync = syncPanelModel(deps, now);
  const objects = objectsPanelModel(deps);
  const cluster = deps.sync.cluster.snapshot();
  const failing: KioskFailure[] = cluster.workloads
    .filter((w) => w.state === 'failing')
    .map((w) => ({ kind: w.kind, namespace: w.namespace, name: w.name, problem: w.problem }));
  // Degraded objects that are not workloads (a PVC, a Job) count too.
  for (const o of objects.problems) {
    if (o.health.status !== 'Degraded') continue;
    if (
      failing.some(
        (f) => f.kind === o.ref.kind && f.namespace === (o.ref.namespace ?? '') && f.name === o.ref.name,
      )
    )
      continue;
    failing.push({
      kind: o.ref.kind,
      namespace: o.ref.namespace ?? '',
      name: o.ref.name,
      problem: o.health.message,
    });
  }
  const sample = deps.host?.now()?.sample ?? null;
  const s = sync.status;
  return {
    ...overallOf(sync, objects, clusterPanelModel(deps).failing),
    applied: s.applied
      ? { revision: s.applied.revision, version: s.applied.version, at: s.applied.at }
      : null,
    upstream: {
      reachable: s.upstream.reachable,
      broken: s.upstream.broken,
      brokenSince: s.upstream.brokenSince,
      lastContact: s.upstream.lastContact,
      unreachableSince: s.upstream.unreachableSince,
    },
    running: sync.progress.running ? { stage: sync.progress.stage } : null,
    temp: sample?.temp ?? null,
    diskShare:
      sample?.diskUsed !== null && sample?.diskTotal ? (sample.diskUsed ?? 0) / sample.diskTotal : null,
    failures: failing.slice(0, KIOSK_FAILURES_SHOWN),
    moreFailures: Math.max(0, failing.length - KIOSK_FAILURES_SHOWN),
    generatedAt: now.toISOString(),
  };
}
