// The sync duration chart on the runs page: the longest run of each step over 1 h, 24 h or 7 d, from the first run
// in the range, with the steps that hold a failed or rolled-back run marked.
import { type ChartRange, chartGrid } from '../../host/sampler.ts';
import type { WebDeps } from '../deps.ts';
import { type ColumnChart, columns, firstReading } from '../sparkline.ts';
import { RANGES } from './host-panel.ts';

/** The fewest steps a chart spans, however recent its first run. */
export const MIN_STEPS = 12;

export interface RunChartModel {
  range: ChartRange;
  ranges: readonly ChartRange[];
  chart: ColumnChart;
  /** Run records in the range (an unchanged scheduled run folded into a later one is one record). */
  runs: number;
  failed: number;
  /** Over every run in the range, not just each step's longest. */
  shortestMs: number | null;
  longestMs: number | null;
}

export function runChartModel(deps: WebDeps, range: ChartRange, now = Date.now()): RunChartModel {
  const grid = chartGrid(range, now);
  const longest: (number | null)[] = new Array(grid.n).fill(null);
  const count: number[] = new Array(grid.n).fill(0);
  const failed: number[] = new Array(grid.n).fill(0);
  let shortestMs: number | null = null;
  for (const b of deps.sync.history.runBuckets(grid.start, grid.stepMs)) {
    const i = Math.floor((b.at - grid.start) / grid.stepMs);
    if (i < 0 || i >= grid.n) continue;
    longest[i] = b.longestMs;
    count[i] = b.runs;
    failed[i] = b.failed;
    shortestMs = shortestMs === null ? b.shortestMs : Math.min(shortestMs, b.shortestMs);
  }
  // Drawn from the first run in the range, so a fresh node's first runs fill the width — but at least MIN_STEPS
  // wide, so one run is a column rather than a block across the whole chart.
  const seen = firstReading([longest]);
  const first = seen < 0 ? -1 : Math.max(0, Math.min(seen, grid.n - MIN_STEPS));
  const cut = <T>(xs: T[]) => (first < 0 ? [] : xs.slice(first));
  const chart = columns(
    cut(longest),
    { start: grid.start + Math.max(0, first) * grid.stepMs, stepMs: grid.stepMs },
    { count: cut(count), failed: cut(failed) },
  );
  return {
    range,
    ranges: RANGES,
    chart,
    runs: count.reduce((a, b) => a + b, 0),
    failed: failed.reduce((a, b) => a + b, 0),
    shortestMs,
    longestMs: chart.max,
  };
}
