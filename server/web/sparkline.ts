// Charts as server-rendered SVG geometry: polyline points per unbroken run of samples (gaps stay gaps), columns
// for discrete events (sync runs), and red bands where something failed.

export interface Spark {
  /** One `points` attribute per run of consecutive values. */
  segments: string[];
  /** x extent of the view box (one unit per bucket). */
  width: number;
  height: number;
  min: number | null;
  max: number | null;
  last: number | null;
}

export const SPARK_HEIGHT = 24;

/** Where a value sits in the box, `lo` at the bottom and `hi` at the top. */
function yOf(v: number, lo: number, hi: number): number {
  const share = Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
  // Whole units: one unit is about a pixel at the drawn size, and the page stays small.
  return Math.round(SPARK_HEIGHT - 1 - share * (SPARK_HEIGHT - 2));
}

/**
 * Scales values into a width×24 box. `range` fixes the scale (shares: 0..1); otherwise it spans the data, with
 * `floor` as the lowest top (so an idle network line stays low instead of filling the box).
 */
export function sparkline(
  values: readonly (number | null)[],
  opts: { range?: [number, number]; floor?: number } = {},
): Spark {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const width = Math.max(1, values.length - 1);
  const min = present.length ? Math.min(...present) : null;
  const max = present.length ? Math.max(...present) : null;
  let lo = opts.range?.[0] ?? Math.min(0, min ?? 0);
  let hi = opts.range?.[1] ?? Math.max(max ?? 1, opts.floor ?? 0);
  if (opts.range === undefined && min !== null && max !== null && min > 0 && opts.floor === undefined) {
    // Temperatures: show the variation, not the distance from zero.
    const pad = Math.max(1, (max - min) * 0.2);
    lo = min - pad;
    hi = max + pad;
  }
  if (hi <= lo) hi = lo + 1;
  const y = (v: number) => yOf(v, lo, hi);
  const segments: string[] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (current.length) segments.push(current.join(' '));
      current = [];
      return;
    }
    current.push(`${i},${y(v)}`);
  });
  if (current.length) segments.push(current.join(' '));
  // A lone point would not draw as a line: give it a short horizontal stroke.
  const drawn = segments.map((s) =>
    s.includes(' ') ? s : `${s} ${Number(s.split(',')[0]) + 0.8},${s.split(',')[1]}`,
  );
  const last = [...values].reverse().find((v) => v !== null && v !== undefined) ?? null;
  return { segments: drawn, width, height: SPARK_HEIGHT, min, max, last };
}

/** One stretch of a chart that answers "what was it then" on hover: its start time and mean value. */
export interface Slice {
  /** Left edge and width in view-box units. */
  x: number;
  w: number;
  at: number;
  value: number | null;
}

/** A chart on a time grid, with hover stretches of at most SLICES per chart. */
export interface Chart extends Spark {
  /** Time of the first point, or null when nothing was read in the range. */
  from: number | null;
  slices: Slice[];
}

/** At most this many hover stretches (and table rows) per chart: enough to read, small enough to send. */
export const SLICES = 24;

/**
 * Where a set of series starts to have readings: charts drawn from there fill their width from the first
 * minute, instead of a tick at the right end of a mostly empty range. -1 when none has any.
 */
export function firstReading(series: readonly (readonly (number | null)[])[]): number {
  const firsts = series
    .map((values) => values.findIndex((v) => v !== null && Number.isFinite(v)))
    .filter((i) => i >= 0);
  return firsts.length ? Math.min(...firsts) : -1;
}

/** `values[i]` is the reading at `start + i·stepMs`; gaps stay gaps. */
export function chart(
  values: readonly (number | null)[],
  grid: { start: number; stepMs: number },
  opts: { range?: [number, number]; floor?: number } = {},
): Chart {
  const spark = sparkline(values, opts);
  const slices: Slice[] = [];
  if (values.length > 0) {
    const per = Math.ceil(values.length / Math.min(SLICES, values.length));
    for (let i = 0; i < values.length; i += per) {
      const group = values.slice(i, i + per).filter((v): v is number => v !== null && Number.isFinite(v));
      const x = Math.max(0, i - 0.5);
      slices.push({
        x,
        w: Math.max(0, Math.min(spark.width, i + per - 0.5) - x),
        at: grid.start + i * grid.stepMs,
        value: group.length ? group.reduce((a, b) => a + b, 0) / group.length : null,
      });
    }
  }
  return { ...spark, from: values.length ? grid.start : null, slices };
}

/** A stretch of a chart where something failed (a sync run, a check of the API): drawn as a red band. */
export interface Mark {
  x: number;
  w: number;
  at: number;
  /** How many failed there, of how many. */
  failed: number;
  of: number;
}

/** One band per point with a failure; `failed[i]` of `of[i]` at `start + i·stepMs`. */
export function marks(
  failed: readonly number[],
  of: readonly number[],
  grid: { start: number; stepMs: number },
): Mark[] {
  const width = Math.max(1, failed.length - 1);
  const out: Mark[] = [];
  failed.forEach((n, i) => {
    if (n <= 0) return;
    const x = Math.max(0, i - 0.5);
    out.push({
      x,
      w: Math.max(0.5, Math.min(width, i + 0.5) - x),
      at: grid.start + i * grid.stepMs,
      failed: n,
      of: Math.max(n, of[i] ?? n),
    });
  });
  return out;
}

/** One column of a column chart: step i spans [i, i+1] of the view box; the bar is its middle, from y down. */
export interface Column {
  x: number;
  y: number;
  at: number;
  value: number;
  /** Events in this step, and how many of them failed (drawn red, with a band behind). */
  count: number;
  failed: number;
}

/** A chart of discrete events (sync runs): a column per step that has a value, nothing where none. */
export interface ColumnChart {
  width: number;
  height: number;
  columns: Column[];
  min: number | null;
  max: number | null;
  last: number | null;
  from: number | null;
}

/**
 * Columns on a time grid, scaled from zero to the largest value (a duration is read from zero). `count[i]` and
 * `failed[i]` say how many events step i holds and how many of them failed.
 */
export function columns(
  values: readonly (number | null)[],
  grid: { start: number; stepMs: number },
  events: { count: readonly number[]; failed: readonly number[] },
): ColumnChart {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const min = present.length ? Math.min(...present) : null;
  const max = present.length ? Math.max(...present) : null;
  const out: Column[] = [];
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return;
    out.push({
      x: i,
      // Every column at least two units tall: a quick run is still a visible column, not a missing one.
      y: Math.min(SPARK_HEIGHT - 3, yOf(v, 0, max && max > 0 ? max : 1)),
      at: grid.start + i * grid.stepMs,
      value: v,
      count: events.count[i] ?? 1,
      failed: events.failed[i] ?? 0,
    });
  });
  return {
    width: Math.max(1, values.length),
    height: SPARK_HEIGHT,
    columns: out,
    min,
    max,
    last: present.at(-1) ?? null,
    from: values.length ? grid.start : null,
  };
}
