// The host panel: the latest reading and a chart per metric over the chosen range (1 h, 24 h or 7 d), the
// Kubernetes API's latency among them.
import type { ApiSample } from '../../host/api-probe.ts';
import {
  CHART_RANGES,
  type ChartRange,
  chartGrid,
  type HostNow,
  type TimedSeries,
} from '../../host/sampler.ts';
import type { WebDeps } from '../deps.ts';
import { type Chart, chart, firstReading, type Mark, marks } from '../sparkline.ts';

export const DEFAULT_RANGE: ChartRange = '24h';
export const RANGES = Object.keys(CHART_RANGES) as ChartRange[];

/** Colour only where action is needed: a reading at its level's threshold is amber or red, the rest plain. */
export type Level = 'warn' | 'bad' | null;

export interface HostLevels {
  cpu: Level;
  mem: Level;
  disk: Level;
  temp: Level;
}

/** The thresholds, in one place for the overview and the kiosk: [amber from, red from]. */
const THRESHOLDS = { cpu: [0.8, 0.95], mem: [0.85, 0.95], disk: [0.8, 0.9], temp: [70, 80] } as const;

const levelOf = (v: number | null | undefined, [warn, bad]: readonly [number, number]): Level =>
  v === null || v === undefined ? null : v >= bad ? 'bad' : v >= warn ? 'warn' : null;

export function hostLevels(s: HostNow['sample'] | null | undefined): HostLevels {
  const share = (used: number | null | undefined, total: number | null | undefined) =>
    used !== null && used !== undefined && total ? used / total : null;
  return {
    cpu: levelOf(s?.cpu, THRESHOLDS.cpu),
    mem: levelOf(share(s?.memUsed, s?.memTotal), THRESHOLDS.mem),
    disk: levelOf(share(s?.diskUsed, s?.diskTotal), THRESHOLDS.disk),
    temp: levelOf(s?.temp, THRESHOLDS.temp),
  };
}

export interface HostPanelModel {
  now: HostNow | null;
  levels: HostLevels;
  memShare: number | null;
  diskShare: number | null;
  range: ChartRange;
  ranges: readonly ChartRange[];
  sparks: { cpu: Chart; mem: Chart; disk: Chart; temp: Chart; rx: Chart; tx: Chart };
  hasTemp: boolean;
  intervalS: number;
  /** The API's latency (gaps where no check got an answer) and its unanswered checks; null without the probe. */
  api: ApiPanel | null;
}

export interface ApiPanel {
  last: ApiSample | null;
  latency: Chart;
  /** Red bands where checks got no answer. */
  marks: Mark[];
  checks: number;
  failed: number;
  /** Unanswered checks per hover stretch of the latency chart (the values table's rows). */
  failedPerSlice: number[];
}

/** A range from a query string, or the default: anything else is ignored, not refused. */
export function chartRange(v: unknown): ChartRange {
  return typeof v === 'string' && Object.hasOwn(CHART_RANGES, v) ? (v as ChartRange) : DEFAULT_RANGE;
}

function timed(deps: WebDeps, range: ChartRange): TimedSeries {
  const w = deps.host?.window?.(range);
  if (w) return w;
  // A stub with only the 24 h series: its grid ends at the current bucket.
  const { start, stepMs } = chartGrid('24h', Date.now());
  return {
    range: '24h',
    start,
    stepMs,
    series: deps.host?.series() ?? { cpu: [], mem: [], disk: [], temp: [], rx: [], tx: [] },
  };
}

export function hostPanelModel(deps: WebDeps, range: ChartRange = DEFAULT_RANGE): HostPanelModel {
  const now = deps.host?.now() ?? null;
  const w = timed(deps, range);
  const n = CHART_RANGES[w.range].spanMs / w.stepMs;
  const a = deps.api?.window({ start: w.start, stepMs: w.stepMs, n }) ?? null;
  // Every chart starts at the first reading of any metric, so they share one time grid (and the table its rows).
  const all = [...Object.values(w.series), ...(a ? [a.checks.map((c) => (c > 0 ? c : null))] : [])];
  const first = firstReading(all);
  const cut = <T>(values: T[]) => (first < 0 ? [] : values.slice(first));
  const grid = { start: w.start + Math.max(0, first) * w.stepMs, stepMs: w.stepMs };
  const s = now?.sample;
  const share = (used: number | null | undefined, total: number | null | undefined) =>
    used !== null && used !== undefined && total ? used / total : null;
  const unit: [number, number] = [0, 1];
  return {
    now,
    levels: hostLevels(s),
    memShare: share(s?.memUsed, s?.memTotal),
    diskShare: share(s?.diskUsed, s?.diskTotal),
    range: w.range,
    ranges: RANGES,
    sparks: {
      cpu: chart(cut(w.series.cpu), grid, { range: unit }),
      mem: chart(cut(w.series.mem), grid, { range: unit }),
      disk: chart(cut(w.series.disk), grid, { range: unit }),
      temp: chart(cut(w.series.temp), grid),
      rx: chart(cut(w.series.rx), grid, { floor: 1024 }),
      tx: chart(cut(w.series.tx), grid, { floor: 1024 }),
    },
    hasTemp: (s?.temp ?? null) !== null || w.series.temp.some((v) => v !== null),
    intervalS: Math.round((deps.host?.intervalMs ?? 15_000) / 1000),
    api: a && deps.api ? apiPanel(deps.api.last(), cut(a.latency), cut(a.checks), cut(a.failed), grid) : null,
  };
}

function apiPanel(
  last: ApiSample | null,
  latency: (number | null)[],
  checks: number[],
  failed: number[],
  grid: { start: number; stepMs: number },
): ApiPanel {
  const c = chart(latency, grid, { floor: 10 });
  const index = (at: number) => Math.round((at - grid.start) / grid.stepMs);
  const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
  return {
    last,
    latency: c,
    marks: marks(failed, checks, grid),
    checks: sum(checks),
    failed: sum(failed),
    failedPerSlice: c.slices.map((s, k) =>
      sum(failed.slice(index(s.at), k + 1 < c.slices.length ? index(c.slices[k + 1]?.at ?? 0) : undefined)),
    ),
  };
}
