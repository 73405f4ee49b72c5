// systeminformation, the parts Outpost reads (CPU, memory, file systems, network, OS, system), each from the
// package's own module: its index loads all twenty, battery, Wi-Fi, Docker, printers and Bluetooth among them,
// whose ~280 KB of source a server would keep in its heap for nothing.
import { createRequire } from 'node:module';

type Si = typeof import('systeminformation');

/** What the readings and the support bundle's facts call. */
export type HostLibrary = Pick<
  Si,
  | 'currentLoad'
  | 'cpuTemperature'
  | 'cpu'
  | 'mem'
  | 'fsSize'
  | 'blockDevices'
  | 'networkInterfaces'
  | 'networkStats'
  | 'osInfo'
  | 'system'
>;

let library: HostLibrary | undefined;

/** Loaded on first use: a command that never reads the host never loads it. */
export function hostLibrary(): HostLibrary {
  if (!library) {
    const load = createRequire(import.meta.url);
    const part = (name: string) => load(`systeminformation/lib/${name}.js`) as Partial<Si>;
    const { currentLoad, cpuTemperature, cpu } = part('cpu') as Si;
    const { fsSize, blockDevices } = part('filesystem') as Si;
    const { networkInterfaces, networkStats } = part('network') as Si;
    library = {
      currentLoad,
      cpuTemperature,
      cpu,
      mem: (part('memory') as Si).mem,
      fsSize,
      blockDevices,
      networkInterfaces,
      networkStats,
      osInfo: (part('osinfo') as Si).osInfo,
      system: (part('system') as Si).system,
    };
  }
  return library;
}
