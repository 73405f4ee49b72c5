// Samples the host every interval into SQLite (batched, with retention) and keeps 24 h of sparkline buckets in memory.
import type { Logger } from 'pino';
import type { Db } from '../db/open.ts';
import {
  bucketedSamples,
  type HostSample,
  insertSamples,
  pruneSamples,
  samplesSince,
} from '../db/samples.ts';
import { hostReader, type ReadHost } from './readings.ts';
import { SampleLog } from './sample-log.ts';

export interface HostNow {
  sample: HostSample;
  uptimeS: number;
  interfaces: { name: string; up: boolean }[];
}

/** One metric over the last 24 h: one value per bucket (null where nothing was sampled), oldest first. */
export interface Series {
  cpu: (number | null)[];
  mem: (number | null)[];
  disk: (number | null)[];
  temp: (number | null)[];
  rx: (number | null)[];
  tx: (number | null)[];
}

export interface HostSamplerOptions {
  db: Db;
  log: Logger;
  /** Folder whose file system counts as "disk" (the data volume). */
  dataDir: string;
  intervalMs?: number;
  retentionMs?: number;
  /** Samples buffered before one batched write. */
  flushEvery?: number;
  /** Where readings come from (systeminformation unless a test passes its own). */
  read?: ReadHost;
}

export const WINDOW_MS = 24 * 3_600_000;
export const BUCKET_MS = 10 * 60_000;

/** The console's chart ranges: how far back, and one point per step. 24 h is the in-memory series. */
export const CHART_RANGES = {
  '1h': { spanMs: 3_600_000, stepMs: 60_000 },
  '24h': { spanMs: WINDOW_MS, stepMs: BUCKET_MS },
  '7d': { spanMs: 7 * 86_400_000, stepMs: 3_600_000 },
} as const;
export type ChartRange = keyof typeof CHART_RANGES;

/** A range's time grid at `now`: `n` steps, the last one holding `now`. Every chart of a range shares it. */
export function chartGrid(range: ChartRange, now: number): { start: number; stepMs: number; n: number } {
  const { spanMs, stepMs } = CHART_RANGES[range];
  const n = spanMs / stepMs;
  return { start: Math.floor(now / stepMs) * stepMs - (n - 1) * stepMs, stepMs, n };
}

/** A series on a fixed time grid: `series[k][i]` is the mean over [start + i·stepMs, start + (i+1)·stepMs). */
export interface TimedSeries {
  range: ChartRange;
  start: number;
  stepMs: number;
  series: Series;
}
const BUCKETS = WINDOW_MS / BUCKET_MS;

type Metric = keyof Series;
const METRICS: Metric[] = ['cpu', 'mem', 'disk', 'temp', 'rx', 'tx'];

function metricsOf(s: HostSample): Record<Metric, number | null> {
  const share = (used: number | null, total: number | null) => (used !== null && total ? used / total : null);
  return {
    cpu: s.cpu,
    mem: share(s.memUsed, s.memTotal),
    disk: share(s.diskUsed, s.diskTotal),
    temp: s.temp,
    rx: s.rx,
    tx: s.tx,
  };
}

interface Bucket {
  start: number;
  sum: Record<Metric, number>;
  n: Record<Metric, number>;
}

const zero = (): Record<Metric, number> => ({ cpu: 0, mem: 0, disk: 0, temp: 0, rx: 0, tx: 0 });

export class HostSampler {
  #o: Required<HostSamplerOptions>;
  #samples: SampleLog<HostSample>;
  #buckets: Bucket[] = [];
  #now: HostNow | null = null;
  #lastNet: { at: number; rx: number; tx: number } | null = null;
  #timer: NodeJS.Timeout | null = null;
  #reading: Promise<void> | null = null;
  #first: NodeJS.Timeout | null = null;
  #series: Series | null = null;
  #windows = new Map<ChartRange, { version: number; last: number; window: TimedSeries }>();
  /** Bumped on every sample: lets the web layer cache what it rendered from us. */
  version = 0;

  constructor(o: HostSamplerOptions) {
    this.#o = {
      intervalMs: 15_000,
      retentionMs: 7 * 86_400_000,
      flushEvery: 4,
      read: hostReader({ dataDir: o.dataDir }),
      ...o,
    };
    this.#samples = new SampleLog({
      db: this.#o.db,
      log: this.#o.log,
      retentionMs: this.#o.retentionMs,
      flushEvery: this.#o.flushEvery,
      what: 'host samples',
      insert: insertSamples,
      prune: pruneSamples,
    });
  }

  get intervalMs(): number {
    return this.#o.intervalMs;
  }

  /** Loads the last 24 h from the store, takes a first reading, and samples every interval from then on. */
  start(): void {
    this.#load();
    const tick = () => {
      // A reading that is still running (a slow sensor) is not started twice.
      if (this.#reading) return;
      this.#reading = this.sampleNow()
        .then(() => undefined)
        .catch((err) => this.#o.log.warn({ err }, 'could not read the host'))
        .finally(() => {
          this.#reading = null;
        });
    };
    // The first reading only primes CPU and network rates; the first sample comes a second later.
    this.#reading = this.#prime().finally(() => {
      this.#reading = null;
    });
    this.#first = setTimeout(tick, Math.min(1_000, this.#o.intervalMs));
    this.#first.unref();
    this.#timer = setInterval(tick, this.#o.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#first) clearTimeout(this.#first);
    this.#timer = null;
    this.#first = null;
    this.flush();
  }

  now(): HostNow | null {
    return this.#now;
  }

  series(): Series {
    this.#series ??= this.#buildSeries(Date.now());
    return this.#series;
  }

  /**
   * The last hour (one point a minute, from raw samples) or 7 days (one an hour, averaged by SQLite); 24 h is
   * the in-memory series. Samples not written yet count too, so the first minute already draws.
   */
  window(range: ChartRange, now = Date.now()): TimedSeries {
    const { start, stepMs, n } = chartGrid(range, now);
    const last = start + (n - 1) * stepMs;
    if (range === '24h') return { range, start, stepMs, series: this.series() };
    const hit = this.#windows.get(range);
    if (hit && hit.version === this.version && hit.last === last) return hit.window;
    let stored: HostSample[] = [];
    try {
      stored = range === '1h' ? samplesSince(this.#o.db, start) : bucketedSamples(this.#o.db, start, stepMs);
    } catch (err) {
      this.#o.log.warn({ err, range }, 'could not read stored host samples');
    }
    const sum = METRICS.map(() => new Array<number>(n).fill(0));
    const count = METRICS.map(() => new Array<number>(n).fill(0));
    for (const s of [...stored, ...this.#samples.unwritten]) {
      const i = Math.floor((s.at - start) / stepMs);
      if (i < 0 || i >= n) continue;
      const m = metricsOf(s);
      METRICS.forEach((k, j) => {
        const v = m[k];
        if (v === null || !Number.isFinite(v)) return;
        (sum[j] as number[])[i] = ((sum[j] as number[])[i] as number) + v;
        (count[j] as number[])[i] = ((count[j] as number[])[i] as number) + 1;
      });
    }
    const series = Object.fromEntries(
      METRICS.map((k, j) => [
        k,
        (sum[j] as number[]).map((v, i) => {
          const c = (count[j] as number[])[i] as number;
          return c > 0 ? v / c : null;
        }),
      ]),
    ) as unknown as Series;
    const window = { range, start, stepMs, series };
    this.#windows.set(range, { version: this.version, last, window });
    return window;
  }

  /** Raw samples waiting for the next batched write. */
  get pending(): number {
    return this.#samples.unwritten.length;
  }

  flush(): void {
    this.#samples.flush();
  }

  async sampleNow(at = Date.now()): Promise<HostSample> {
    const r = await this.#o.read();
    const seconds = this.#lastNet ? (at - this.#lastNet.at) / 1000 : 0;
    const rate = (now: number, before: number | undefined) =>
      before !== undefined && seconds > 0 && now >= before ? (now - before) / seconds : null;
    const sample: HostSample = {
      at,
      cpu: r.cpu,
      memUsed: r.memUsed,
      memTotal: r.memTotal,
      diskUsed: r.diskUsed,
      diskTotal: r.diskTotal,
      temp: r.temp,
      rx: rate(r.rx, this.#lastNet?.rx),
      tx: rate(r.tx, this.#lastNet?.tx),
      load1: r.load1,
    };
    this.#lastNet = { at, rx: r.rx, tx: r.tx };
    this.#now = { sample, uptimeS: r.uptimeS, interfaces: r.interfaces };
    this.#add(sample);
    this.#samples.add(sample);
    this.version++;
    return sample;
  }

  async #prime(): Promise<void> {
    try {
      const r = await this.#o.read();
      this.#lastNet = { at: Date.now(), rx: r.rx, tx: r.tx };
    } catch (err) {
      this.#o.log.warn({ err }, 'could not read the host');
    }
  }

  #load(): void {
    const now = Date.now();
    this.#samples.prune(now);
    try {
      for (const s of bucketedSamples(this.#o.db, now - WINDOW_MS, BUCKET_MS)) this.#add(s);
    } catch (err) {
      this.#o.log.warn({ err }, 'could not read stored host samples');
    }
  }

  #add(s: HostSample): void {
    const start = Math.floor(s.at / BUCKET_MS) * BUCKET_MS;
    let b = this.#buckets.at(-1);
    if (!b || b.start !== start) {
      b = { start, sum: zero(), n: zero() };
      this.#buckets.push(b);
      const oldest = start - WINDOW_MS;
      while ((this.#buckets[0]?.start ?? Number.POSITIVE_INFINITY) <= oldest) this.#buckets.shift();
    }
    const m = metricsOf(s);
    for (const k of METRICS) {
      const v = m[k];
      if (v === null || !Number.isFinite(v)) continue;
      b.sum[k] += v;
      b.n[k]++;
    }
    this.#series = null;
  }

  /** Fixed 24 h grid ending at the current bucket, so a gap (the box was off) shows as a gap. */
  #buildSeries(now: number): Series {
    const last = Math.floor(now / BUCKET_MS) * BUCKET_MS;
    const first = last - (BUCKETS - 1) * BUCKET_MS;
    const byStart = new Map(this.#buckets.map((b) => [b.start, b]));
    const out: Series = { cpu: [], mem: [], disk: [], temp: [], rx: [], tx: [] };
    for (let t = first; t <= last; t += BUCKET_MS) {
      const b = byStart.get(t);
      for (const k of METRICS) out[k].push(b && b.n[k] > 0 ? b.sum[k] / b.n[k] : null);
    }
    return out;
  }
}
