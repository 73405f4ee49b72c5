// The sync side of Outpost as one object: queue, schedule, live view, progress and status for web and CLI.

import { type PlannedChange, previewChanges } from '../apply/diff.ts';
import { planObjects } from '../apply/plan.ts';
import { auditDetail } from '../audit-detail.ts';
import type { KubeConfig } from '../cluster/kubeconfig.ts';
import { type AuditEntry, appendAudit } from '../db/audit.ts';
import { checkStore, type Db, StoreFullError } from '../db/open.ts';
import { closeAbandonedRuns, recentRuns } from '../db/runs.ts';
import { volumeOf } from '../db/space.ts';
import type { Problem } from '../problem.ts';
import { keepRenderWorkerReady, stopRenderWorker } from '../render/off-thread.ts';
import type { SourceOptions } from '../sources/options.ts';
import type { Source } from '../sources/types.ts';
import { acceptUpload } from '../sources/upload.ts';
import { ClusterView } from './cluster-view.ts';
import { type ClusterWatch, watchCluster } from './cluster-watch.ts';
import { createHistory, type History } from './history.ts';
import { setStaffHold } from './holds.ts';
import { LiveView } from './live.ts';
import { tryLock, unlock } from './lock.ts';
import { SyncQueue } from './queue.ts';
import { reassertReadOnly } from './read-only.ts';
import {
  DEFAULT_POLICY,
  type ReconcileOptions,
  type ReconcilerDeps,
  reconcile,
  type Stage,
} from './reconciler.ts';
import type { RunRecord, Trigger } from './run.ts';
import { RunningInventory } from './running.ts';
import { type Schedule, startSchedule } from './schedule.ts';
import {
  createSettings,
  type Settings,
  type SettingsValues,
  type SourcePolicy,
  type SourceSpec,
} from './settings.ts';
import { storeCheckResult } from './state-keys.ts';
import { readStatus, type StoreStatus, type SyncStatus, storeStatus } from './status.ts';
import { renderForNode } from './vars.ts';
import { createWorkloadActions, type WorkloadActions } from './workloads.ts';

/** An upload that did not verify: the technician's mistake to fix (wrong file, wrong key), not a crash. */
/** An upload the node does not take: `disabled` (no uploads here) or `refused` (the bundle failed its checks). */
export class UploadRefused extends Error implements Problem {
  readonly kind = 'refused';
  readonly code: 'disabled' | 'refused';
  constructor(code: UploadRefused['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UploadRefused';
    this.code = code;
  }
}

export interface SyncProgress {
  running: boolean;
  runId: number | null;
  stage: Stage | null;
}

export interface SyncService {
  /** IANA time zone of the schedule and maintenance windows; the node's own when undefined. */
  readonly timeZone: string | undefined;
  trigger(trigger: Trigger, actor?: string | null, opts?: ReconcileOptions): Promise<RunRecord>;
  progress(): SyncProgress;
  status(): SyncStatus;
  /** The store's size and bound, and whether its data volume is full (the node's state word then). */
  store(): StoreStatus;
  runs(limit?: number): RunRecord[];
  live: LiveView;
  nextScheduled(): Date | null;
  /** Staff pause of new revisions until a time; null releases it. Audited. */
  setHold(hold: { until: Date; reason: string } | null, actor: string): void;
  audit(entry: AuditEntry): void;
  /** Verifies and stores a bundle uploaded on site, then syncs to it. Throws UploadRefused (422) when it does not verify. */
  upload(
    bundle: Buffer,
    signature: string | null,
    filename: string,
    actor: string,
  ): Promise<{ version: string | null }>;
  /** What the next sync would change (fetch, render, plan, server dry-run); writes nothing. */
  preview(): Promise<PlannedChange[]>;
  start(opts: {
    schedule: string;
    nodeName: string;
    liveIntervalMs?: number;
    clusterIntervalMs?: number;
  }): void;
  stop(): Promise<void>;
  /** Console: nodes, pods, workloads and events, refreshed in the background (pages never wait for the API). */
  cluster: ClusterView;
  /** Console: stored revisions and their diffs, run history, audit log. */
  history: History;
  /** Console: rollout restart and pod logs. */
  workloads: WorkloadActions;
  /** Console: source, schedule, maintenance windows and pause, as configured or changed on the console. */
  settings: Settings;
  /** Changes whenever what the console shows may have changed: a cache key for rendered pages. */
  version(): string;
}

export interface SyncServiceDeps extends Omit<ReconcilerDeps, 'onStage'> {
  /** Where uploads go and how they are verified; without it uploads are refused. */
  uploads?: { dataDir: string; options: Pick<SourceOptions, 'policy' | 'limits'> };
  /** The configured source as settings (shown on the console; what resetting a changed source returns to). */
  sourceSpec?: SourceSpec;
  /** Builds a source from console settings; without it the source cannot be changed on the console. */
  makeSource?: (spec: SourceSpec) => Source;
  /** Which sources the console may choose (signature requirement, OUTPOST_CONSOLE_SOURCE_EDIT); strict when absent. */
  sourcePolicy?: SourcePolicy;
  /** The library's configuration of the same cluster: with it the console's views follow informers, not lists. */
  kubeConfig?: KubeConfig;
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a factory: its body is the methods of the service it returns, each a small function of its own.
export function createSyncService(d: SyncServiceDeps): SyncService {
  const progress: SyncProgress = { running: false, runId: null, stage: null };
  const running = new RunningInventory(d.db);
  const live = new LiveView(running, d.cluster, d.log);
  const clusterView = new ClusterView(running, d.cluster, d.log);
  let changes = 0;
  // The schedule the console's settings may change while running (the rest is read per run: settings.sync).
  const runtime = { schedule: null as string | null, paused: false };
  let scheduleOpts: { nodeName: string } | null = null;
  const volume = volumeOf(d.db);
  const queue = new SyncQueue(async (trigger, actor, opts) => {
    progress.running = true;
    changes++;
    const run = () =>
      reconcile(
        {
          ...settings.sync(d),
          onStage: (runId, stage) => {
            progress.runId = runId;
            progress.stage = stage;
            changes++;
          },
        },
        trigger,
        actor,
        opts,
      );
    try {
      // A full data volume: the LKG is re-asserted without writing, also when a run finds it full on the way.
      if (volume?.full) return await reassertReadOnly(d, volume, trigger, actor);
      return await run();
    } catch (err) {
      if (!(err instanceof StoreFullError) || !volume) throw err;
      return await reassertReadOnly(d, volume, trigger, actor);
    } finally {
      volume?.housekeep();
      progress.running = false;
      progress.stage = null;
      changes++;
      void live.refresh();
      void clusterView.refresh();
    }
  });
  let schedule: Schedule | null = null;
  let watching: Promise<ClusterWatch | null> | null = null;
  checkStoreAtStart(d.db, d.log);
  d.metrics?.storeDamaged.set(readStatus(d.db).store.ok ? 0 : 1);
  // Runs left "running" are abandoned only if no live process holds the reconcile lock (a CLI may be mid-run).
  // On a full volume they are closed once it has room again: a start-up must not fail for a history write.
  const closeAbandoned = () => {
    const abandoned = tryLock(d.db) ? 0 : closeAbandonedRuns(d.db);
    unlock(d.db);
    if (abandoned > 0) d.log.warn({ abandoned }, 'closed sync runs left open by an earlier crash');
  };
  if (volume?.full) volume.onRecover(closeAbandoned);
  else closeAbandoned();

  const startScheduleNow = () => {
    schedule?.stop();
    schedule = null;
    if (!scheduleOpts || runtime.paused || !runtime.schedule) return;
    schedule = startSchedule(
      {
        expression: runtime.schedule,
        ...(d.policy?.timeZone ? { timeZone: d.policy.timeZone } : {}),
        nodeName: scheduleOpts.nodeName,
        upstream: () => {
          const u = readStatus(d.db).upstream;
          return { failures: u.consecutiveFailures, unreachable: u.reachable === false };
        },
        probe: () => settings.sync(d).source.probe(),
        reassert: true,
        onError: (err) => d.log.error({ err }, 'scheduled sync crashed'),
      },
      queue,
    );
  };
  let configuredSchedule = '*/5 * * * *';
  const settings = createSettings({
    db: d.db,
    defaults: (): SettingsValues => ({
      source: d.sourceSpec ?? { kind: d.source.kind, url: d.source.url, path: d.sourcePath },
      schedule: configuredSchedule,
      maintenanceWindows: d.policy?.maintenanceWindows ?? [],
      paused: false,
    }),
    makeSource: d.makeSource,
    sourcePolicy: d.sourcePolicy,
    apply(values, source) {
      const reschedule =
        source !== null || runtime.schedule !== values.schedule || runtime.paused !== values.paused;
      runtime.schedule = values.schedule;
      runtime.paused = values.paused;
      if (reschedule) startScheduleNow();
      changes++;
    },
  });

  return {
    trigger: (trigger, actor = null, opts = {}) => queue.trigger(trigger, actor, opts),
    progress: () => ({ ...progress }),
    status: () => readStatus(d.db),
    store: () => storeStatus(d.db),
    runs: (limit = 20) => recentRuns(d.db, limit),
    live,
    nextScheduled: () => schedule?.nextRun() ?? null,
    timeZone: d.policy?.timeZone,
    cluster: clusterView,
    history: createHistory(d.db),
    workloads: createWorkloadActions(d.db, d.cluster, clusterView),
    settings,
    version: () => {
      const l = live.snapshot();
      return `${changes}.${clusterView.version}.${live.version}.${l.error}.${volume?.full ? 'full' : ''}`;
    },
    setHold(hold, actor) {
      changes++;
      setStaffHold(
        d.db,
        hold && {
          until: hold.until.toISOString(),
          reason: hold.reason,
          by: actor,
          at: new Date().toISOString(),
        },
      );
      appendAudit(d.db, {
        actor,
        action: hold ? 'hold' : 'release-hold',
        target: hold ? auditDetail('hold-until', { at: hold.until.toISOString() }) : undefined,
        result: 'ok',
        detail: hold?.reason,
      });
    },
    audit: (entry) => appendAudit(d.db, entry),
    async upload(bundle, signature, filename, actor) {
      if (!d.uploads) throw new UploadRefused('disabled', 'uploads are not enabled on this node');
      try {
        const { fetched } = await acceptUpload(
          d.uploads.dataDir,
          bundle,
          signature,
          filename,
          d.uploads.options,
          actor,
        );
        appendAudit(d.db, {
          actor,
          action: 'upload',
          target: filename,
          result: 'accepted',
          detail: auditDetail('version', { version: fetched.version ?? '-' }),
        });
        queue
          .trigger('upload', actor)
          .catch((err: unknown) => d.log.error({ err }, 'sync after upload crashed'));
        return { version: fetched.version ?? null };
      } catch (err) {
        appendAudit(d.db, {
          actor,
          action: 'upload',
          target: filename,
          result: 'refused',
          detail: auditDetail('upload-refused', { error: (err as Error).message }),
        });
        throw new UploadRefused('refused', `The bundle ${filename} was refused: ${(err as Error).message}`, {
          cause: err,
        });
      }
    },
    async preview() {
      const e = settings.sync(d);
      const fetched = await e.source.fetch();
      const planned = await planObjects(await renderForNode(e, fetched.files), e.cluster);
      return previewChanges(e.cluster, planned, { ...DEFAULT_POLICY, ...e.policy });
    },
    start({ schedule: expression, nodeName, liveIntervalMs = 10_000, clusterIntervalMs = 5_000 }) {
      configuredSchedule = expression;
      scheduleOpts = { nodeName };
      // Settings changed on the console earlier override the configuration from the first run on.
      const e = settings.effective();
      runtime.schedule = e.schedule;
      runtime.paused = e.paused;
      startScheduleNow();
      keepRenderWorkerReady().catch((err: unknown) =>
        d.log.warn({ err }, 'render worker did not start; each sync starts its own'),
      );
      live.start(liveIntervalMs);
      void live.refresh();
      clusterView.start(clusterIntervalMs);
      void clusterView.refresh();
      const kc = d.kubeConfig;
      if (kc) {
        live.follow(kc);
        // Until the informers are loaded the view lists as before; a failure to start them leaves it listing.
        watching = watchCluster(kc, (err) => d.log.warn({ err }, 'cluster watch failed; retrying'))
          .then((w) => {
            clusterView.follow(w);
            void clusterView.refresh();
            return w;
          })
          .catch((err: unknown) => {
            d.log.error({ err }, 'could not start the cluster watches; the console lists instead');
            return null;
          });
      }
    },
    async stop() {
      schedule?.stop();
      live.stop();
      clusterView.stop();
      await (await watching)?.stop();
      await live.stopWatches();
      // A probe in flight reads the source; the store and the source go away after stop.
      await schedule?.settled();
      await queue.idle();
      await stopRenderWorker();
    },
  };
}

/** The start-up integrity check: logged, and kept as the node's store state for the page, status and metrics. */
function checkStoreAtStart(db: Db, log: SyncServiceDeps['log']): void {
  const check = checkStore(db);
  if (check.ok) log.info({ ms: check.ms }, 'store integrity check passed');
  else
    log.error(
      { problems: check.problems, ms: check.ms },
      'the local store is damaged: syncs that need a damaged revision stop with StoreCorrupt and remove nothing',
    );
  try {
    storeCheckResult.set(db, check);
  } catch (err) {
    log.error({ err }, 'could not record the store check in the store');
  }
}
