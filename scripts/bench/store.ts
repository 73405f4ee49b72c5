// Store soak: 24 simulated hours (time compressed) on the default schedule against the in-process simulator —
// the data directory's size per simulated hour must level off under OUTPOST_STORE_LIMIT + the reserve.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dirBytes, soakStore } from '../../test/support/store-soak.ts';

const MIB = 1024 * 1024;
const mb = (n: number) => `${(n / MIB).toFixed(2)} MiB`;

export const storeSoak = {
  id: 'soak-store',
  optIn: true,
  title:
    'Store soak: 24 simulated hours on */5 * * * *, 300 objects, samples every 15 s, audit, a change every 3 h (OUTPOST_SOAK_HOURS, OUTPOST_SOAK_LIMIT_MB, OUTPOST_SOAK_SAMPLE_S: a faster sample rate reaches the bound within the day)',
  async run(): Promise<[string, string][]> {
    const hours = Number(process.env.OUTPOST_SOAK_HOURS ?? '24');
    const limitBytes = Number(process.env.OUTPOST_SOAK_LIMIT_MB ?? '8') * MIB;
    const reserveBytes = 1 * MIB;
    const sampleEveryS = Number(process.env.OUTPOST_SOAK_SAMPLE_S ?? '15');
    const dir = mkdtempSync(path.join(tmpdir(), 'outpost-soak-store-'));
    const rows: [string, string][] = [];
    const started = Date.now();
    try {
      const r = await soakStore({
        dir,
        hours,
        objects: 300,
        limitBytes,
        reserveBytes,
        historyDays: 30,
        sampleEveryS,
        auditPerHour: 12,
        changeEveryH: 3,
        onHour: (h, bytes) => rows.push([`data directory after hour ${String(h).padStart(2)}`, mb(bytes)]),
      });
      rows.push(['samples every (simulated)', `${sampleEveryS} s`]);
      rows.push(['bound (OUTPOST_STORE_LIMIT + reserve)', mb(limitBytes + reserveBytes)]);
      rows.push(['largest hourly reading', mb(Math.max(...r.bytesPerHour))]);
      rows.push(['scheduled runs / rows they left in sync_runs', `${r.runs} / ${r.runRows}`]);
      rows.push(['data directory at the end', mb(dirBytes(path.join(dir, 'data')))]);
      rows.push(['wall time', `${((Date.now() - started) / 1000).toFixed(0)} s`]);
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
