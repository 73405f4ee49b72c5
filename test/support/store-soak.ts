// Simulated days of a node's history on its store, time compressed: scheduled syncs on `*/5 * * * *` against the
// in-process simulator, host samples, audit entries and an upstream that changes now and then — with the data
// directory's size read every simulated hour. Shared by `npm run bench soak-store` and the bounded test.
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mock } from 'node:test';
import { openCluster } from '../../server/cluster/client.ts';
import { appendAudit } from '../../server/db/audit.ts';
import { type HostSample, insertSamples } from '../../server/db/samples.ts';
import { DataVolume } from '../../server/db/space.ts';
import { startKubesim } from '../../server/kubesim/index.ts';
import { dirSource } from '../../server/sources/dir.ts';
import { createSyncService } from '../../server/sync/service.ts';
import { silentLog } from './log.ts';

export interface SoakOptions {
  /** A fresh directory for the source, the kubeconfig and the data directory. */
  dir: string;
  hours: number;
  /** Managed objects (ConfigMaps in one namespace). */
  objects: number;
  limitBytes: number;
  reserveBytes: number;
  historyDays: number;
  /** One host sample every this many simulated seconds (the sampler's default is 15). */
  sampleEveryS: number;
  /** Audit entries per simulated hour (staff actions, sign-ins). */
  auditPerHour: number;
  /** The upstream publishes a changed revision every this many simulated hours. */
  changeEveryH: number;
  onHour?: (hour: number, bytes: number) => void;
}

export interface SoakResult {
  /** The data directory's size at the end of each simulated hour. */
  bytesPerHour: number[];
  runs: number;
  runRows: number;
}

const SYNC_EVERY_MS = 5 * 60_000;

/** Bytes of every file under `dir`. */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

function writeFleet(dir: string, objects: number, version: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: soak\n');
  for (let i = 0; i < objects - 1; i++) {
    const name = `cm-${String(i).padStart(4, '0')}`;
    // Every change touches a tenth of the objects, as a typical rollout would.
    const v = i % 10 === version % 10 ? version : 0;
    writeFileSync(
      path.join(dir, `${name}.yaml`),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: soak\ndata:\n  value: "${i}-${v}"\n`,
    );
  }
}

const sample = (at: number): HostSample => ({
  at,
  cpu: 0.2,
  memUsed: 3e9,
  memTotal: 8e9,
  diskUsed: 3e10,
  diskTotal: 6.4e10,
  temp: 55,
  rx: 30_000,
  tx: 8_000,
  load1: 0.6,
});

/**
 * Runs the soak. Date is mocked (only Date: timers run for real), so every record carries simulated time and
 * the age bound applies as it would over real days.
 */
export async function soakStore(o: SoakOptions): Promise<SoakResult> {
  const source = path.join(o.dir, 'source');
  const dataDir = path.join(o.dir, 'data');
  const kubeconfigPath = path.join(o.dir, 'kubeconfig.yaml');
  let version = 0;
  writeFleet(source, o.objects, version);
  const sim = await startKubesim({ readyDelayMs: 0, kubeconfigPath });
  const cluster = await openCluster({ mode: 'kubeconfig', path: kubeconfigPath });
  let now = Date.parse('2026-11-01T00:00:00Z');
  mock.timers.enable({ apis: ['Date'], now });
  const volume = new DataVolume(dataDir, {
    reserveBytes: o.reserveBytes,
    bounds: { historyMs: o.historyDays * 86_400_000, limitBytes: o.limitBytes },
    log: silentLog,
  });
  const sync = createSyncService({
    db: volume.db,
    cluster,
    source: dirSource(source),
    sourcePath: '.',
    log: silentLog,
    policy: { healthTimeoutMs: 10_000, healthIntervalMs: 20 },
  });
  const bytesPerHour: number[] = [];
  let runs = 0;
  try {
    const steps = (o.hours * 3_600_000) / SYNC_EVERY_MS;
    const perStep = Math.max(1, Math.round(SYNC_EVERY_MS / 1000 / o.sampleEveryS));
    const auditEvery = o.auditPerHour > 0 ? Math.max(1, Math.round(12 / o.auditPerHour)) : 0;
    for (let step = 1; step <= steps; step++) {
      const at = now;
      // The sampler's batches: what the 5 minutes since the last sync read.
      insertSamples(
        volume.db,
        Array.from({ length: perStep }, (_, i) =>
          sample(at - SYNC_EVERY_MS + (i + 1) * o.sampleEveryS * 1000),
        ),
      );
      const audits = auditEvery ? Math.max(1, Math.round(o.auditPerHour / 12)) : 0;
      if (auditEvery && step % auditEvery === 0)
        for (let i = 0; i < audits; i++)
          appendAudit(volume.db, { actor: 'tech', source: '10.0.0.5', action: 'login', result: 'ok' });
      if ((step * SYNC_EVERY_MS) % (o.changeEveryH * 3_600_000) === 0)
        writeFleet(source, o.objects, ++version);
      const run = await sync.trigger('schedule');
      if (run.result !== 'succeeded') throw new Error(`soak run ${step} ${run.result}: ${run.message}`);
      runs++;
      now += SYNC_EVERY_MS;
      mock.timers.setTime(now);
      if ((step * SYNC_EVERY_MS) % 3_600_000 === 0) {
        const bytes = dirBytes(dataDir);
        bytesPerHour.push(bytes);
        o.onHour?.(bytesPerHour.length, bytes);
      }
    }
    const runRows = (volume.db.prepare('SELECT count(*) AS n FROM sync_runs').get() as { n: number }).n;
    return { bytesPerHour, runs, runRows };
  } finally {
    await sync.stop();
    mock.timers.reset();
    volume.close();
    cluster.close();
    await sim.close();
  }
}
