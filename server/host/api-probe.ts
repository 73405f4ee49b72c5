// Checks the Kubernetes API once a minute (its cheapest request, GET /version) and keeps how long it took, or that
// it got no answer, in SQLite for the console's API health chart.
import type { Logger } from 'pino';
import {
  type ApiBucket,
  type ApiSample,
  apiBuckets,
  insertApiSamples,
  pruneApiSamples,
} from '../db/api-samples.ts';
import type { Db } from '../db/open.ts';
import { SampleLog } from './sample-log.ts';

/** One check a minute: the 1 h chart's step, and the only request this adds to the API's load. */
export const API_CHECK_MS = 60_000;
/** Into the minute, so the check never lands on the schedule's whole minutes with a sync's requests. */
const OFFSET_MS = 7_000;

export type { ApiSample };

export interface ApiProbeOptions {
  db: Db;
  log: Logger;
  /** The check itself (the cluster client's ping); resolves when the API answered. */
  check: () => Promise<void>;
  intervalMs?: number;
  retentionMs?: number;
  /** Checks buffered before one batched write. */
  flushEvery?: number;
}

/** The checks on a time grid: per step, how many ran, how many got no answer, the answered ones' mean latency. */
export interface ApiWindow {
  start: number;
  stepMs: number;
  /** Mean ms of the answered checks; null where none answered (a gap in the line). */
  latency: (number | null)[];
  checks: number[];
  failed: number[];
}

export class ApiProbe {
  #o: Required<ApiProbeOptions>;
  #samples: SampleLog<ApiSample>;
  #last: ApiSample | null = null;
  #timer: NodeJS.Timeout | null = null;
  #checking = false;
  /** One window per grid (the overview and the panel's other ranges), until the next check. */
  #cache = new Map<string, { version: number; window: ApiWindow }>();
  /** Bumped on every check: lets the web layer cache what it rendered from us. */
  version = 0;

  constructor(o: ApiProbeOptions) {
    this.#o = { intervalMs: API_CHECK_MS, retentionMs: 7 * 86_400_000, flushEvery: 5, ...o };
    this.#samples = new SampleLog({
      db: this.#o.db,
      log: this.#o.log,
      retentionMs: this.#o.retentionMs,
      flushEvery: this.#o.flushEvery,
      what: 'the API checks',
      insert: insertApiSamples,
      prune: pruneApiSamples,
    });
  }

  /** Checks at a fixed second of every interval, so each minute of the 1 h chart holds exactly one check. */
  start(): void {
    const next = () => {
      const now = Date.now();
      const due = Math.floor(now / this.#o.intervalMs) * this.#o.intervalMs + OFFSET_MS;
      const wait = (due > now ? due : due + this.#o.intervalMs) - now;
      this.#timer = setTimeout(() => {
        void this.checkNow().finally(() => {
          if (this.#timer) next();
        });
      }, wait);
      this.#timer.unref();
    };
    next();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.flush();
  }

  /** The latest check, or null before the first. */
  last(): ApiSample | null {
    return this.#last;
  }

  /** Runs one check; a check still waiting for its answer (up to the client's timeout) is not started twice. */
  async checkNow(at = Date.now()): Promise<ApiSample | null> {
    if (this.#checking) return null;
    this.#checking = true;
    const t0 = performance.now();
    let sample: ApiSample;
    try {
      await this.#o.check();
      sample = { at, latencyMs: Math.round((performance.now() - t0) * 10) / 10, ok: true };
    } catch (err) {
      this.#o.log.debug({ err }, 'the Kubernetes API did not answer its check');
      sample = { at, latencyMs: null, ok: false };
    } finally {
      this.#checking = false;
    }
    this.record(sample);
    return sample;
  }

  /** Keeps one check's result (tests give their own times and answers). */
  record(sample: ApiSample): void {
    this.#last = sample;
    this.#samples.add(sample);
    this.version++;
  }

  flush(): void {
    this.#samples.flush();
  }

  /** `n` steps of `stepMs` from `start` (the host charts' grid), stored checks and unwritten ones alike. */
  window(grid: { start: number; stepMs: number; n: number }): ApiWindow {
    const key = `${grid.start}|${grid.stepMs}|${grid.n}`;
    const hit = this.#cache.get(key);
    if (hit && hit.version === this.version) return hit.window;
    const { start, stepMs, n } = grid;
    let stored: ApiBucket[] = [];
    try {
      stored = apiBuckets(this.#o.db, start, stepMs);
    } catch (err) {
      this.#o.log.warn({ err }, 'could not read the stored API checks');
    }
    const unwritten = this.#samples.unwritten.map((s) => ({
      at: s.at,
      checks: 1,
      failed: s.ok ? 0 : 1,
      latencySum: s.ok ? (s.latencyMs ?? 0) : 0,
    }));
    const checks = new Array<number>(n).fill(0);
    const failed = new Array<number>(n).fill(0);
    const sum = new Array<number>(n).fill(0);
    for (const b of [...stored, ...unwritten]) {
      const i = Math.floor((b.at - start) / stepMs);
      if (i < 0 || i >= n) continue;
      checks[i] = (checks[i] as number) + b.checks;
      failed[i] = (failed[i] as number) + b.failed;
      sum[i] = (sum[i] as number) + b.latencySum;
    }
    const latency = checks.map((c, i) => {
      const answered = c - (failed[i] as number);
      return answered > 0 ? (sum[i] as number) / answered : null;
    });
    const window = { start, stepMs, latency, checks, failed };
    // Grids move on with time: keep the few current ones, not every one ever asked for.
    if (this.#cache.size >= 8) this.#cache.clear();
    this.#cache.set(key, { version: this.version, window });
    return window;
  }
}
