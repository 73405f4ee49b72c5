// Prometheus text exposition (format 0.0.4) for the few metrics Outpost keeps, and the process's own figures.
// prom-client did this for ~4 MB of RSS, more than the console's memory budget can spare (docs/performance.md).
import { memoryUsage } from 'node:process';

type Labels = Record<string, string>;

/** Label values may hold anything; the format escapes backslash, double quote and newline. */
function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((n, i) => `${n}="${escapeValue(values[i] ?? '')}"`);
  if (extra) parts.unshift(extra);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

abstract class Metric<V> {
  protected values = new Map<string, V>();
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected key(labels: Labels | undefined): string {
    return JSON.stringify(this.labelNames.map((n) => labels?.[n] ?? ''));
  }

  protected abstract samples(labels: string[], value: V): string[];
  protected abstract zero(): V;

  text(): string {
    const lines = [`# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`];
    lines.push(`# TYPE ${this.name} ${this.type}`);
    // A metric without labels always has a value; one with labels only once something happened.
    if (this.labelNames.length === 0 && this.values.size === 0) this.values.set(this.key({}), this.zero());
    for (const [key, value] of this.values) lines.push(...this.samples(JSON.parse(key) as string[], value));
    return lines.join('\n');
  }
}

export class Counter extends Metric<number> {
  readonly type = 'counter';
  inc(labels?: Labels, by = 1): void {
    const k = this.key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  protected zero() {
    return 0;
  }
  protected samples(labels: string[], value: number) {
    return [`${this.name}${labelText(this.labelNames, labels)} ${value}`];
  }
}

export class Gauge extends Metric<number> {
  readonly type = 'gauge';
  set(labelsOrValue: Labels | number, value?: number): void {
    if (typeof labelsOrValue === 'number') this.values.set(this.key({}), labelsOrValue);
    else this.values.set(this.key(labelsOrValue), value ?? 0);
  }
  /** Forgets every series: for a gauge whose label values change (the current state word). */
  reset(): void {
    this.values.clear();
  }
  protected zero() {
    return 0;
  }
  protected samples(labels: string[], value: number) {
    return [`${this.name}${labelText(this.labelNames, labels)} ${value}`];
  }
}

interface Buckets {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<Buckets> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    this.buckets = buckets;
  }
  observe(labels: Labels, value: number): void {
    const k = this.key(labels);
    const b = this.values.get(k) ?? this.zero();
    this.buckets.forEach((le, i) => {
      if (value <= le) b.counts[i] = (b.counts[i] ?? 0) + 1;
    });
    b.sum += value;
    b.count++;
    this.values.set(k, b);
  }
  protected zero(): Buckets {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  protected samples(labels: string[], b: Buckets) {
    const l = (extra = '') => labelText(this.labelNames, labels, extra);
    return [
      ...this.buckets.map((le, i) => `${this.name}_bucket${l(`le="${le}"`)} ${b.counts[i] ?? 0}`),
      `${this.name}_bucket${l('le="+Inf"')} ${b.count}`,
      `${this.name}_sum${l()} ${b.sum}`,
      `${this.name}_count${l()} ${b.count}`,
    ];
  }
}

interface Exposed {
  readonly name: string;
  text(): string;
}

export class Registry {
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';
  #metrics: Exposed[] = [];
  #collect: (() => void)[] = [];

  register<M extends Exposed>(metric: M): M {
    if (this.#metrics.some((m) => m.name === metric.name))
      throw new Error(`metric ${metric.name} registered twice`);
    this.#metrics.push(metric);
    return metric;
  }

  /** Something to refresh gauges just before they are read (the process figures). */
  beforeScrape(fn: () => void): void {
    this.#collect.push(fn);
  }

  async metrics(): Promise<string> {
    for (const fn of this.#collect) fn();
    return `${this.#metrics.map((m) => m.text()).join('\n')}\n`;
  }
}

/** CPU, memory and start time of this process, under `prefix` (the names prom-client's defaults used). */
export function processMetrics(registry: Registry, prefix: string): void {
  const g = (name: string, help: string) => registry.register(new Gauge(`${prefix}${name}`, help));
  const c = (name: string, help: string) => registry.register(new Counter(`${prefix}${name}`, help));
  const cpuUser = c('process_cpu_user_seconds_total', 'User CPU time spent in seconds');
  const cpuSystem = c('process_cpu_system_seconds_total', 'System CPU time spent in seconds');
  const rss = g('process_resident_memory_bytes', 'Resident memory size in bytes');
  const heapUsed = g('nodejs_heap_size_used_bytes', 'V8 heap in use, in bytes');
  const heapTotal = g('nodejs_heap_size_total_bytes', 'V8 heap reserved, in bytes');
  const external = g('nodejs_external_memory_bytes', 'Memory held outside the V8 heap (buffers), in bytes');
  g('process_start_time_seconds', 'Start time of the process since the Unix epoch in seconds').set(
    Math.round(Date.now() / 1000 - process.uptime()),
  );
  let last = { user: 0, system: 0 };
  registry.beforeScrape(() => {
    const cpu = process.cpuUsage();
    cpuUser.inc({}, (cpu.user - last.user) / 1e6);
    cpuSystem.inc({}, (cpu.system - last.system) / 1e6);
    last = cpu;
    const m = memoryUsage();
    rss.set(m.rss);
    heapUsed.set(m.heapUsed);
    heapTotal.set(m.heapTotal);
    external.set(m.external);
  });
}

/** The store's size, its bound and whether its volume is full (1 = "data volume full", history not written). */
export function storeMetrics(
  registry: Registry,
  read: () => { full: boolean; bytes: number; limitBytes: number | null; freeBytes: number | null },
): void {
  const g = (name: string, help: string) => registry.register(new Gauge(name, help));
  const full = g(
    'outpost_store_full',
    'Whether the data volume is full (1): serving read-only, history not written',
  );
  const bytes = g('outpost_store_bytes', 'Bytes of the store on disk (database and WAL)');
  const limit = g('outpost_store_limit_bytes', 'The bound the store is trimmed to (OUTPOST_STORE_LIMIT)');
  const free = g('outpost_data_volume_free_bytes', 'Bytes free on the data volume');
  registry.beforeScrape(() => {
    const s = read();
    full.set(s.full ? 1 : 0);
    bytes.set(s.bytes);
    if (s.limitBytes !== null) limit.set(s.limitBytes);
    if (s.freeBytes !== null) free.set(s.freeBytes);
  });
}
