// When scheduled syncs run: the cron expression, plus a per-node jitter so a fleet never polls in step,
// exponential backoff after every failed poll (unreachable or broken upstream alike), the last-known-good
// re-asserted on every tick the backoff skips, and a cheap probe that syncs at once when an unreachable upstream
// comes back. The cron matcher only says when a tick is; everything else here works on plain times.
import { createHash } from 'node:crypto';
import { Cron, cronProblem, scheduleCron } from './cron.ts';
import type { SyncQueue } from './queue.ts';

/** What the schedule needs to know about the upstream right now (from the store). */
export interface UpstreamHealth {
  /** Consecutive failed polls. */
  failures: number;
  /** The last poll failed on the network (no answer): the only state a probe can clear. */
  unreachable: boolean;
}

/** Timers and time; tests pass a simulated one. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ScheduleOptions {
  expression: string;
  /** IANA time zone the expression is read in; the node's own when unset. */
  timeZone?: string;
  /** Seeds the jitter: the same node always lands on the same offset. */
  nodeName: string;
  upstream: () => UpstreamHealth;
  /** The source's cheap conditional check (HEAD, ref advertisement, manifest HEAD); true = answers. */
  probe?: () => Promise<boolean>;
  probeIntervalMs?: number;
  maxBackoffMs?: number;
  /** Re-assert the last-known-good from the store on every tick the backoff skips. */
  reassert?: boolean;
  onError: (err: unknown) => void;
  clock?: Clock;
  /** Calls `tick` at every time the expression names; the cron matcher's, unless a test drives it. */
  ticker?: (tick: () => void) => { stop(): void; next(): Date | null };
}

export interface Schedule {
  stop(): void;
  /** When the next scheduled sync will start (cron time + jitter, or the end of a backoff). */
  nextRun(): Date | null;
  /** Resolves when no probe is in flight (tests, shutdown). */
  settled(): Promise<void>;
}

/** Jitter never spans more than this: a daily schedule still runs within a quarter hour of its time. */
export const MAX_JITTER_MS = 15 * 60_000;

/**
 * The span a node's jitter falls in: the whole interval, up to 15 minutes. A 5-minute fleet of 10,000 nodes
 * then peaks at ~50 polls/s (10 % of the interval would make it ~370), and a daily one keeps its time.
 */
export function jitterSpanMs(intervalMs: number): number {
  return Math.min(intervalMs, MAX_JITTER_MS);
}

/** Offset of this node inside a span: uniform over [0, span), stable for a node name. */
export function jitterMs(nodeName: string, spanMs: number): number {
  const h = createHash('sha256').update(nodeName).digest().readUInt32BE(0);
  return Math.floor((h / 2 ** 32) * spanMs);
}

/** Wait after `failures` consecutive failed polls: one interval, doubling, capped. */
export function backoffMs(failures: number, intervalMs: number, capMs: number): number {
  if (failures <= 0) return 0;
  return Math.min(intervalMs * 2 ** Math.min(failures - 1, 16), capMs);
}

/** The gap between two consecutive cron firings (the polling interval). */
export function cronIntervalMs(expression: string): number {
  const [a, b] = Cron.parse(expression)?.nextRuns(2) ?? [];
  return a && b ? b.getTime() - a.getTime() : 300_000;
}

/** Schedules firing more often than this poll the upstream and churn the store for nothing. */
export const MIN_INTERVAL_MS = 60_000;

/** Why a schedule cannot be used (it never fires, or fires more than once a minute); null when it can. */
export function scheduleProblem(expression: string): string | null {
  const problem = cronProblem(expression);
  // node-cron refuses a date that never comes (31 February) when it parses.
  if (problem !== null && /impossible/.test(problem)) return `"${expression}" never fires (${problem})`;
  const cron = Cron.parse(expression);
  if (!cron) return `not a valid cron expression (5 or 6 fields)${problem ? `: ${problem}` : ''}`;
  // Five fields name whole minutes: such a schedule cannot fire more than once a minute, and node-cron has refused
  // the dates that never come. Reading firings costs the process's first Intl clock (~40 ms of every command).
  if (!cron.hasSeconds) return null;
  // A few consecutive firings: `*/10 * * * * *` or `0-59 * * * * *` show their gap at once.
  const runs = cron.nextRuns(5);
  if (runs.length === 0) return `"${expression}" never fires`;
  for (let i = 1; i < runs.length; i++) {
    const gap = (runs[i] as Date).getTime() - (runs[i - 1] as Date).getTime();
    if (gap < MIN_INTERVAL_MS)
      return `"${expression}" fires every ${gap / 1000} s; a schedule may fire at most once a minute`;
  }
  return null;
}

export function startSchedule(opts: ScheduleOptions, queue: SyncQueue): Schedule {
  const clock = opts.clock ?? REAL_CLOCK;
  const interval = cronIntervalMs(opts.expression);
  const jitter = jitterMs(opts.nodeName, jitterSpanMs(interval));
  const cap = opts.maxBackoffMs ?? 3_600_000;
  const probeEvery = opts.probeIntervalMs ?? 30_000;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let pending: unknown = null;
  let pendingAt: number | null = null;
  let probing: Promise<void> | null = null;
  let probeTimer: unknown = null;
  let stopped = false;

  const fire = () => {
    pending = null;
    pendingAt = null;
    lastAttempt = clock.now();
    queue.trigger('schedule').catch(opts.onError);
  };

  const backingOff = () => {
    const { failures } = opts.upstream();
    return failures > 0 && clock.now() - lastAttempt < backoffMs(failures, interval, cap);
  };

  const cron = Cron.parse(opts.expression, opts.timeZone);
  if (!cron) throw new Error(`schedule "${opts.expression}" is not a cron expression`);
  const ticker = opts.ticker ?? ((tick) => scheduleCron(cron, tick, opts.timeZone));
  const task = ticker(() => {
    if (pending) return;
    if (backingOff()) {
      // The upstream waits; the cluster does not: a wiped or edited cluster is put back from the store on
      // every tick, with no network. Local only, so no jitter.
      if (opts.reassert && !queue.running)
        queue.trigger('schedule', null, { reassertOnly: true }).catch(opts.onError);
      return;
    }
    pendingAt = clock.now() + jitter;
    pending = clock.setTimeout(fire, jitter);
  });

  const probeOnce = async () => {
    // Only an upstream the network could not reach is probed: one that answered badly (500, HTML, a truncated
    // bundle) would pass a probe and be downloaded again at once — it waits for its backoff instead.
    const up = opts.upstream();
    if (!opts.probe || up.failures === 0 || !up.unreachable || queue.running || pending) return;
    try {
      // The network came back: sync now rather than at the end of a long backoff.
      if ((await opts.probe()) && !stopped) fire();
    } catch (err) {
      opts.onError(err);
    }
  };
  const armProbe = () => {
    probeTimer = clock.setTimeout(() => {
      probing ??= probeOnce().finally(() => {
        probing = null;
      });
      void probing.then(() => {
        if (!stopped) armProbe();
      });
    }, probeEvery);
  };
  armProbe();

  return {
    stop() {
      stopped = true;
      if (pending) clock.clearTimeout(pending);
      if (probeTimer) clock.clearTimeout(probeTimer);
      task.stop();
    },
    nextRun() {
      if (pendingAt) return new Date(pendingAt);
      const next = task.next();
      if (!next) return null;
      const earliest = lastAttempt + backoffMs(opts.upstream().failures, interval, cap);
      let at = next.getTime();
      while (at < earliest) at += interval;
      return new Date(at + jitter);
    },
    settled: async () => {
      await probing;
    },
  };
}
