// Static facts about the host for the support bundle and the overview: OS, kernel, CPU, memory, addresses.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface HostFacts {
  hostname: string;
  os: string;
  kernel: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  memTotal: number;
  node: string;
  addresses: { iface: string; address: string; family: string }[];
}

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const m = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(text);
    if (m) return m[1] as string;
  } catch {
    // Not Linux, or no os-release: fall back to the platform name.
  }
  return `${os.type()} ${os.release()}`;
}

export function hostFacts(): HostFacts {
  const cpus = os.cpus();
  const addresses: HostFacts['addresses'] = [];
  for (const [iface, list] of Object.entries(os.networkInterfaces())) {
    for (const a of list ?? [])
      if (!a.internal) addresses.push({ iface, address: a.address, family: a.family });
  }
  return {
    hostname: os.hostname(),
    os: osName(),
    kernel: os.release(),
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memTotal: os.totalmem(),
    node: process.version,
    addresses,
  };
}
