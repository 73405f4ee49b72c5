// A bounded version of `npm run bench soak-store`: simulated hours of syncs, samples and audit entries that write
// three times the store's limit leave the data directory under OUTPOST_STORE_LIMIT + the reserve.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { soakStore } from '../support/store-soak.ts';

const MIB = 1024 * 1024;

test('the data directory levels off under its bound while history keeps coming in', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-store-soak-'));
  try {
    const limitBytes = 8 * MIB;
    const reserveBytes = 256 * 1024;
    // Samples every 50 ms of simulated time: ~4 MiB of history an hour, so 6 hours write ~3× the limit.
    const r = await soakStore({
      dir,
      hours: 6,
      objects: 20,
      limitBytes,
      reserveBytes,
      historyDays: 30,
      sampleEveryS: 0.05,
      auditPerHour: 12,
      changeEveryH: 2,
    });
    assert.equal(r.runs, 72);
    // The -shm file (32 KiB) is the only file besides the store and the reserve.
    const bound = limitBytes + reserveBytes + 64 * 1024;
    for (const [h, bytes] of r.bytesPerHour.entries())
      assert.ok(bytes <= bound, `hour ${h + 1}: ${bytes} bytes > bound ${bound}`);
    // It levelled off: the last hours are no bigger than the size the trimming starts from.
    const last = r.bytesPerHour.at(-1) as number;
    assert.ok(last > 0.5 * limitBytes, `the store filled up to its bound (${last} bytes)`);
    // Unchanged scheduled runs were folded: far fewer rows than runs.
    assert.ok(r.runRows <= 10, `${r.runRows} run rows for 72 runs`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
