// When scheduled syncs run: the cron expression, plus a per-node jitter so a fleet never polls in step,
// exponential backoff while the upstream fails, and a cheap probe that syncs at once when it comes back.
import { createHash } from 'node:crypto';
import { Cron, scheduleCron } from './cron.ts';
import type { SyncQueue } from './queue.ts';

export interface ScheduleOptions {
  expression: string;
  /** Seeds the jitter: the same node always lands on the same offset. */
  nodeName: string;
  /** Consecutive failed polls right now (from the store). */
  failures: () => number;
  /** Cheap check that the upstream answers (a TCP connect, a stat); true = reachable. */
  probe?: () => Promise<boolean>;
  probeIntervalMs?: number;
  maxBackoffMs?: number;
  onError: (err: unknown) => void;
}

export interface Schedule {
  stop(): void;
  /** When the next scheduled sync will start (cron time + jitter, or the end of a backoff). */
  nextRun(): Date | null;
}

/** Offset of this node inside one interval: uniform over [0, interval), stable for a node name. */
export function jitterMs(nodeName: string, intervalMs: number): number {
  const h = createHash('sha256').update(nodeName).digest().readUInt32BE(0);
  return Math.floor((h / 2 ** 32) * intervalMs);
}

/** Wait after `failures` consecutive failed polls: one interval, doubling, capped. */
export function backoffMs(failures: number, intervalMs: number, capMs: number): number {
  if (failures <= 0) return 0;
  return Math.min(intervalMs * 2 ** Math.min(failures - 1, 16), capMs);
}

/** The gap between two consecutive cron firings (the polling interval). */
export function cronIntervalMs(expression: string): number {
  const cron = Cron.parse(expression);
  const a = cron?.next(new Date());
  const b = a && cron?.next(a);
  return a && b ? b.getTime() - a.getTime() : 300_000;
}

export function startSchedule(opts: ScheduleOptions, queue: SyncQueue): Schedule {
  const interval = cronIntervalMs(opts.expression);
  const jitter = jitterMs(opts.nodeName, interval);
  const cap = opts.maxBackoffMs ?? 3_600_000;
  let lastAttempt = 0;
  let pending: NodeJS.Timeout | null = null;
  let pendingAt: number | null = null;
  let probing = false;

  const fire = () => {
    pending = null;
    pendingAt = null;
    lastAttempt = Date.now();
    queue.trigger('schedule').catch(opts.onError);
  };

  const cron = Cron.parse(opts.expression);
  if (!cron) throw new Error(`schedule "${opts.expression}" is not a cron expression`);
  const task = scheduleCron(cron, () => {
    const failures = opts.failures();
    // Backing off: skip ticks until the wait since the last attempt has passed.
    if (failures > 0 && Date.now() - lastAttempt < backoffMs(failures, interval, cap)) return;
    if (pending) return;
    pendingAt = Date.now() + jitter;
    pending = setTimeout(fire, jitter);
    pending.unref();
  });

  const probeTimer = setInterval(async () => {
    if (probing || !opts.probe || opts.failures() === 0 || queue.running) return;
    probing = true;
    try {
      // The network came back: sync now rather than at the end of a long backoff.
      if (await opts.probe()) fire();
    } catch (err) {
      opts.onError(err);
    } finally {
      probing = false;
    }
  }, opts.probeIntervalMs ?? 30_000);
  probeTimer.unref();

  return {
    stop() {
      if (pending) clearTimeout(pending);
      clearInterval(probeTimer);
      task.stop();
    },
    nextRun() {
      if (pendingAt) return new Date(pendingAt);
      const failures = opts.failures();
      const next = task.next();
      if (!next) return null;
      const earliest = lastAttempt + backoffMs(failures, interval, cap);
      let at = next.getTime();
      while (at < earliest) at += interval;
      return new Date(at + jitter);
    },
  };
}
