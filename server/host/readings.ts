// Host readings through systeminformation: the cheap calls on every sample, the ones that spawn processes
// (file systems, temperatures, the interface list) at slower rates, so a restricted pod spends well under
// 0.5 % of a core on them (`npm run bench host` measures it).
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type HostLibrary, hostLibrary } from './si.ts';

export interface Reading {
  /** Busy share of all CPUs since the previous reading, 0..1. */
  cpu: number | null;
  memUsed: number;
  memTotal: number;
  /** Used and total bytes of the file system holding the data directory, as `df` counts them. */
  diskUsed: number | null;
  diskTotal: number | null;
  /** CPU/SoC temperature in °C, null when the hardware exposes none (most VMs). */
  temp: number | null;
  /** Bytes received and sent since boot over physical interfaces. */
  rx: number;
  tx: number;
  interfaces: { name: string; up: boolean }[];
  uptimeS: number;
  load1: number | null;
}

export type ReadHost = () => Promise<Reading>;

/** How often the calls that spawn processes run; their last answer is used in between. */
// Measured on a 2-core gateway: df ~20–70 ms of CPU, the sensors ~30–100 ms, the interface inventory ~150–500 ms
// (a shell per interface); the per-reading calls (memory, link counters) ~5–15 ms. The CPU load and the inventory
// spawn *synchronously* inside the library (execSync), stalling every page for that long: the load is read once
// a minute (a share over that minute, what a 10-minute sparkline bucket wants anyway) and the inventory at start
// and every 6 hours, while os.networkInterfaces() shows a new interface at once.
export const RATES = {
  cpuMs: 60_000,
  diskMs: 2 * 60_000,
  sensorsMs: 5 * 60_000,
  interfacesMs: 6 * 3_600_000,
} as const;

/** Virtual interfaces K3s and container runtimes create: counting them would count pod traffic twice. */
const VIRTUAL =
  /^(lo|veth|cni|flannel|docker|br-|kube-|cali|tunl|vxlan|virbr|tailscale|wg|ifb|dummy|sit|ip6|gre|erspan|nodelocaldns)/;

/** A value refreshed at most every `everyMs`; a failed refresh keeps the last good one. */
function every<T>(everyMs: number, load: () => Promise<T>, clock: () => number): () => Promise<T | null> {
  let value: T | null = null;
  let at = Number.NEGATIVE_INFINITY;
  return async () => {
    if (clock() - at < everyMs) return value;
    at = clock();
    try {
      value = await load();
    } catch {
      // The reading is a convenience: a missing tool or a denied file must not stop the sampler.
    }
    return value;
  };
}

/** The mount with the longest path that contains `dir`. */
export function mountOf<T extends { mount: string }>(list: T[], dir: string): T | null {
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    // Not created yet: match the path as given.
  }
  let best: T | null = null;
  for (const fs of list) {
    const m = fs.mount;
    const inside = real === m || real.startsWith(m.endsWith(path.sep) ? m : m + path.sep);
    if (inside && (!best || m.length > best.mount.length)) best = fs;
  }
  return best;
}

export interface HostReaderOptions {
  /** The folder whose file system counts as "disk" (the data volume). */
  dataDir: string;
  /** The library, for tests that count its calls; loaded on first read otherwise. */
  si?: HostLibrary;
  clock?: () => number;
}

export function hostReader(o: HostReaderOptions): ReadHost {
  const clock = o.clock ?? Date.now;
  const lib = (): HostLibrary => o.si ?? hostLibrary();
  const load = every(RATES.cpuMs, async () => lib().currentLoad(), clock);
  const disk = every(RATES.diskMs, async () => mountOf(await lib().fsSize(), o.dataDir), clock);
  const temperature = every(
    RATES.sensorsMs,
    async () => {
      const t = await lib().cpuTemperature();
      const c = t.main ?? t.max;
      return typeof c === 'number' && c > 0 ? c : null;
    },
    clock,
  );
  const inventory = every(
    RATES.interfacesMs,
    async () => (await lib().networkInterfaces()).filter((i) => !i.internal).map((i) => i.iface),
    clock,
  );
  /** The inventory (which keeps a link that is down) plus any interface with an address since (a new NIC). */
  const physical = async (): Promise<string[]> => {
    const names = new Set(await inventory());
    for (const [name, addresses] of Object.entries(os.networkInterfaces()))
      if (addresses?.some((a) => !a.internal)) names.add(name);
    return [...names].filter((n) => !VIRTUAL.test(n));
  };
  return async () => {
    const s = lib();
    const [l, mem, d, temp, names] = await Promise.all([load(), s.mem(), disk(), temperature(), physical()]);
    const stats = names.length > 0 ? await s.networkStats(names.join(',')) : [];
    let rx = 0;
    let tx = 0;
    for (const n of stats) {
      rx += n.rx_bytes || 0;
      tx += n.tx_bytes || 0;
    }
    return {
      cpu: l && Number.isFinite(l.currentLoad) ? Math.min(1, Math.max(0, l.currentLoad / 100)) : null,
      memUsed: mem.total - mem.available,
      memTotal: mem.total,
      diskUsed: d ? d.used : null,
      diskTotal: d ? d.used + d.available : null,
      temp,
      rx,
      tx,
      // "unknown" is what many virtual NICs (and some drivers) report while passing traffic.
      interfaces: stats.map((n) => ({
        name: n.iface,
        up: n.operstate === 'up' || n.operstate === 'unknown',
      })),
      // si.time() also works out the time zone, spawning processes for it: the uptime alone is Node's.
      uptimeS: os.uptime(),
      load1: os.loadavg()[0] ?? null,
    };
  };
}
