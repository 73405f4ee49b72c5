// View models: plain data for the templates, computed from the sync service (SQLite + in-memory live view).
import type { RunRecord } from '../db/runs.ts';
import type { LiveObject } from '../sync/live.ts';
import type { SyncProgress } from '../sync/service.ts';
import type { SyncStatus } from '../sync/status.ts';
import type { WebDeps } from './deps.ts';

export interface SyncPanelModel {
  status: SyncStatus;
  progress: SyncProgress;
  lastRun: RunRecord | null;
  nextSync: string | null;
  source: WebDeps['source'];
}

export interface OverviewModel extends SyncPanelModel {
  objects: LiveObject[];
  liveError: string | null;
  liveAt: string | null;
  counts: Record<'Healthy' | 'Progressing' | 'Degraded' | 'Unknown', number>;
  overall: 'ok' | 'warn' | 'bad' | 'none';
}

export function syncPanelModel(deps: WebDeps): SyncPanelModel {
  const progress = deps.sync.progress();
  return {
    status: deps.sync.status(),
    progress,
    lastRun: deps.sync.runs(1)[0] ?? null,
    nextSync: deps.sync.nextScheduled()?.toISOString() ?? null,
    source: deps.source,
  };
}

export function overviewModel(deps: WebDeps): OverviewModel {
  const panel = syncPanelModel(deps);
  const live = deps.sync.live.snapshot();
  const counts = { Healthy: 0, Progressing: 0, Degraded: 0, Unknown: 0 };
  for (const o of live.objects) counts[o.health.status]++;
  let overall: OverviewModel['overall'] = 'ok';
  if (!panel.status.applied) overall = 'none';
  else if (counts.Degraded > 0 || panel.status.attempted?.result === 'failed') overall = 'bad';
  else if (counts.Progressing > 0 || counts.Unknown > 0 || live.error) overall = 'warn';
  return {
    ...panel,
    objects: live.objects,
    liveError: live.error,
    liveAt: live.refreshedAt,
    counts,
    overall,
  };
}
