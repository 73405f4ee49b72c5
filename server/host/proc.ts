// Host readings from Linux /proc and /sys (no child processes), with os-module fallbacks elsewhere.
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface CpuTimes {
  busy: number;
  total: number;
}

export interface NetCounters {
  rx: number;
  tx: number;
  /** Physical-looking interfaces and whether their link is up. */
  interfaces: { name: string; up: boolean }[];
}

/** Where /proc and /sys live: '/' on a node; a fixture folder in tests. */
export interface HostPaths {
  root: string;
}

const read = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

export function cpuTimes(p: HostPaths): CpuTimes {
  const stat = read(path.join(p.root, 'proc', 'stat'));
  const line = stat?.split('\n').find((l) => l.startsWith('cpu '));
  if (line) {
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
    const total = user + nice + system + idle + iowait + irq + softirq + steal;
    return { busy: total - idle - iowait, total };
  }
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

/** Busy share between two readings, 0..1; null when no time passed. */
export function cpuShare(a: CpuTimes, b: CpuTimes): number | null {
  const total = b.total - a.total;
  if (total <= 0) return null;
  return Math.min(1, Math.max(0, (b.busy - a.busy) / total));
}

export function memory(p: HostPaths): { used: number; total: number } {
  const info = read(path.join(p.root, 'proc', 'meminfo'));
  if (info) {
    const kb = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(info);
      return m ? Number(m[1]) * 1024 : null;
    };
    const total = kb('MemTotal');
    const available = kb('MemAvailable') ?? kb('MemFree');
    if (total !== null && available !== null) return { used: total - available, total };
  }
  return { used: os.totalmem() - os.freemem(), total: os.totalmem() };
}

/** Used and total bytes of the file system holding `dir`, as `df` counts them (root-reserved blocks excluded). */
export function disk(dir: string): { used: number; total: number } | null {
  try {
    const s = statfsSync(dir);
    const used = (s.blocks - s.bfree) * s.bsize;
    return { used, total: used + s.bavail * s.bsize };
  } catch {
    return null;
  }
}

const CPU_ZONE = /cpu|soc|x86_pkg|package|core|tctl|k10temp/i;

/** The CPU/SoC temperature in °C, or null when the hardware exposes none (most VMs). */
export function temperature(p: HostPaths): number | null {
  const base = path.join(p.root, 'sys', 'class', 'thermal');
  const zones: { type: string; c: number }[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(base).filter((n) => n.startsWith('thermal_zone'));
  } catch {
    // No thermal class at all.
  }
  for (const n of names) {
    const milli = Number(read(path.join(base, n, 'temp'))?.trim());
    if (!Number.isFinite(milli) || milli <= 0) continue;
    zones.push({ type: read(path.join(base, n, 'type'))?.trim() ?? '', c: milli / 1000 });
  }
  if (zones.length === 0) return null;
  const cpu = zones.filter((z) => CPU_ZONE.test(z.type));
  return Math.max(...(cpu.length > 0 ? cpu : zones).map((z) => z.c));
}

/** Virtual interfaces K3s and container runtimes create: counting them would count pod traffic twice. */
const VIRTUAL =
  /^(lo|veth|cni|flannel|docker|br-|kube-|cali|tunl|vxlan|virbr|tailscale|wg|ifb|dummy|sit|ip6|gre|erspan|nodelocaldns)/;

export function network(p: HostPaths): NetCounters {
  const dev = read(path.join(p.root, 'proc', 'net', 'dev')) ?? '';
  let rx = 0;
  let tx = 0;
  const interfaces: NetCounters['interfaces'] = [];
  for (const line of dev.split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const name = (m[1] as string).trim();
    if (VIRTUAL.test(name)) continue;
    const f = (m[2] as string).trim().split(/\s+/).map(Number);
    rx += f[0] ?? 0;
    tx += f[8] ?? 0;
    const state = read(path.join(p.root, 'sys', 'class', 'net', name, 'operstate'))?.trim();
    // "unknown" is what many virtual NICs (and some drivers) report while passing traffic.
    interfaces.push({ name, up: state === undefined || state === 'up' || state === 'unknown' });
  }
  return { rx, tx, interfaces };
}
