// The sync side of Outpost as one object: queue, schedule, live view, progress and status for web and CLI.
import { type AuditEntry, appendAudit } from '../db/audit.ts';
import { closeAbandonedRuns, type RunRecord, recentRuns, type Trigger } from '../db/runs.ts';
import type { SourceOptions } from '../sources/options.ts';
import { acceptUpload } from '../sources/upload.ts';
import { setStaffHold } from './holds.ts';
import { LiveView } from './live.ts';
import { tryLock, unlock } from './lock.ts';
import { reachabilityProbe } from './probe.ts';
import { SyncQueue } from './queue.ts';
import { type ReconcileOptions, type ReconcilerDeps, reconcile, type Stage } from './reconciler.ts';
import { type Schedule, startSchedule } from './schedule.ts';
import { readStatus, type SyncStatus } from './status.ts';

/** An upload that did not verify: the technician's mistake to fix (wrong file, wrong key), not a crash. */
export class UploadRefused extends Error {
  readonly status = 422;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UploadRefused';
  }
}

export interface SyncProgress {
  running: boolean;
  runId: number | null;
  stage: Stage | null;
}

export interface SyncService {
  trigger(trigger: Trigger, actor?: string | null, opts?: ReconcileOptions): Promise<RunRecord>;
  progress(): SyncProgress;
  status(): SyncStatus;
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
  start(opts: { schedule: string; nodeName: string; liveIntervalMs?: number }): void;
  stop(): Promise<void>;
}

export interface SyncServiceDeps extends Omit<ReconcilerDeps, 'onStage'> {
  /** Where uploads go and how they are verified; without it uploads are refused. */
  uploads?: { dataDir: string; options: Pick<SourceOptions, 'policy' | 'limits'> };
}

export function createSyncService(d: SyncServiceDeps): SyncService {
  const progress: SyncProgress = { running: false, runId: null, stage: null };
  const live = new LiveView(d.db, d.cluster, d.log);
  const queue = new SyncQueue(async (trigger, actor, opts) => {
    progress.running = true;
    try {
      return await reconcile(
        {
          ...d,
          onStage: (runId, stage) => {
            progress.runId = runId;
            progress.stage = stage;
          },
        },
        trigger,
        actor,
        opts,
      );
    } finally {
      progress.running = false;
      progress.stage = null;
      void live.refresh();
    }
  });
  let schedule: Schedule | null = null;
  // Runs left "running" are abandoned only if no live process holds the reconcile lock (a CLI may be mid-run).
  const abandoned = tryLock(d.db) ? 0 : closeAbandonedRuns(d.db);
  unlock(d.db);
  if (abandoned > 0) d.log.warn({ abandoned }, 'closed sync runs left open by an earlier crash');

  return {
    trigger: (trigger, actor = null, opts = {}) => queue.trigger(trigger, actor, opts),
    progress: () => ({ ...progress }),
    status: () => readStatus(d.db),
    runs: (limit = 20) => recentRuns(d.db, limit),
    live,
    nextScheduled: () => schedule?.nextRun() ?? null,
    setHold(hold, actor) {
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
        target: hold ? `until ${hold.until.toISOString()}` : undefined,
        result: 'ok',
        detail: hold?.reason,
      });
    },
    audit: (entry) => appendAudit(d.db, entry),
    async upload(bundle, signature, filename, actor) {
      if (!d.uploads) throw new UploadRefused('uploads are not enabled on this node');
      try {
        const { fetched } = await acceptUpload(
          d.uploads.dataDir,
          bundle,
          signature,
          filename,
          d.uploads.options,
        );
        appendAudit(d.db, {
          actor,
          action: 'upload',
          target: filename,
          result: 'accepted',
          detail: `version ${fetched.version ?? '-'}`,
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
          detail: (err as Error).message,
        });
        throw new UploadRefused(`The bundle ${filename} was refused: ${(err as Error).message}`, {
          cause: err,
        });
      }
    },
    start({ schedule: expression, nodeName, liveIntervalMs = 10_000 }) {
      schedule = startSchedule(
        {
          expression,
          nodeName,
          failures: () => readStatus(d.db).upstream.consecutiveFailures,
          probe: reachabilityProbe(d.source),
          onError: (err) => d.log.error({ err }, 'scheduled sync crashed'),
        },
        queue,
      );
      live.start(liveIntervalMs);
      void live.refresh();
    },
    async stop() {
      schedule?.stop();
      live.stop();
      await queue.idle();
    },
  };
}
