// The sync panel's data: what runs, what was attempted, upstream, schedule, holds, and the live stage list.

import { inMaintenanceWindow } from '../../sync/holds.ts';
import type { SyncProgress } from '../../sync/service.ts';
import type { SourceSpec } from '../../sync/settings.ts';
import type { SyncStatus } from '../../sync/status.ts';
import { APPLY_PATH, DETOURS, STAGES, type Stage } from '../../sync/types.ts';
import type { WebDeps } from '../deps.ts';

export interface StageStep {
  stage: Stage;
  state: 'done' | 'current' | 'pending';
  at: string | null;
}

export interface SyncPanelModel {
  status: SyncStatus;
  progress: SyncProgress;
  /** While a run is going: every stage with done/current/pending, so each one shows as it happens. */
  steps: StageStep[];
  nextSync: string | null;
  source: SourceSpec;
  schedule: string;
  paused: boolean;
  windows: { list: string[]; open: boolean };
}

/** Stages as they happen: the ones the run has marked, then the rest of the usual path still to come. */
export function stageSteps(marks: { stage: string; at: string }[], current: Stage | null): StageStep[] {
  const seen = marks.filter((m): m is { stage: Stage; at: string } =>
    (STAGES as readonly string[]).includes(m.stage),
  );
  const steps: StageStep[] = seen.map((m) => ({
    stage: m.stage,
    state: m.stage === current ? 'current' : 'done',
    at: m.at,
  }));
  if (current && !seen.some((m) => m.stage === current))
    steps.push({ stage: current, state: 'current', at: null });
  const last = steps.at(-1)?.stage;
  // A detour (re-assert, rollback) ends the run; otherwise the rest of the apply path is still to come.
  if (!last || !(DETOURS as readonly Stage[]).includes(last)) {
    const from = last ? (APPLY_PATH as readonly Stage[]).indexOf(last) + 1 : 0;
    for (const s of APPLY_PATH.slice(from)) steps.push({ stage: s, state: 'pending', at: null });
  }
  return steps;
}

export function syncPanelModel(deps: WebDeps, now = new Date()): SyncPanelModel {
  const progress = deps.sync.progress();
  const settings = deps.sync.settings.effective();
  const run = progress.running && progress.runId !== null ? deps.sync.history.run(progress.runId) : null;
  return {
    status: deps.sync.status(),
    progress,
    steps: progress.running ? stageSteps(run?.stages ?? [], progress.stage) : [],
    nextSync: deps.sync.nextScheduled()?.toISOString() ?? null,
    source: settings.source,
    schedule: settings.schedule,
    paused: settings.paused,
    windows: {
      list: settings.maintenanceWindows,
      open: inMaintenanceWindow(settings.maintenanceWindows, now, deps.sync.timeZone),
    },
  };
}
