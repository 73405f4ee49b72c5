// The host's inventory for the support bundle: OS, hardware, CPU, memory, file systems, block devices, addresses.
import os from 'node:os';
import { type HostLibrary, hostLibrary } from './si.ts';

/** Each part is asked on its own: one the pod may not read (DMI, lsblk) leaves a note, not a failed bundle. */
async function part<T>(name: string, read: () => Promise<T>, problems: string[]): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

/** Spawns a few short-lived processes (lsblk, df, …): for a support bundle, never on a timer. */
export async function hostFacts(si?: HostLibrary): Promise<Record<string, unknown>> {
  const lib = si ?? hostLibrary();
  const problems: string[] = [];
  const [osInfo, system, cpu, mem, fileSystems, blockDevices, interfaces] = await Promise.all([
    part('os', () => lib.osInfo(), problems),
    part('system', () => lib.system(), problems),
    part('cpu', () => lib.cpu(), problems),
    part('memory', () => lib.mem(), problems),
    part('file systems', () => lib.fsSize(), problems),
    part('block devices', () => lib.blockDevices(), problems),
    part('network interfaces', () => lib.networkInterfaces(), problems),
  ]);
  return {
    hostname: os.hostname(),
    node: process.version,
    os: osInfo && {
      distro: osInfo.distro,
      release: osInfo.release,
      kernel: osInfo.kernel,
      arch: osInfo.arch,
      platform: osInfo.platform,
    },
    system: system && { manufacturer: system.manufacturer, model: system.model, virtual: system.virtual },
    cpu: cpu && { manufacturer: cpu.manufacturer, brand: cpu.brand, cores: cpu.cores, speedGHz: cpu.speed },
    memory: mem && { total: mem.total, available: mem.available, swapTotal: mem.swaptotal },
    fileSystems: fileSystems?.map((f) => ({ mount: f.mount, type: f.type, size: f.size, used: f.used })),
    blockDevices: blockDevices?.map((b) => ({ name: b.name, type: b.type, size: b.size, model: b.model })),
    addresses: interfaces
      ?.filter((i) => !i.internal)
      .map((i) => ({ iface: i.iface, ip4: i.ip4, ip6: i.ip6, mac: i.mac, up: i.operstate === 'up' })),
    ...(problems.length > 0 ? { problems } : {}),
  };
}
