// Start-up store check: PRAGMA quick_check against integrity_check on a store the size a busy node reaches (20
// revisions of 300 objects, 3,000 runs with full change lists ≈ 10 days on the default schedule, 7 days of samples).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDb } from '../../server/db/open.ts';
import { storeRevision } from '../../server/db/revisions.ts';
import { finishRun, startRun } from '../../server/db/runs.ts';

const REVISIONS = 20;
const OBJECTS = 300;
const RUNS = 3_000;
const SAMPLES = 7 * 24 * 240;

function configMap(rev: number, i: number) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cm-${i}`, namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'outpost' } },
    data: { revision: String(rev), payload: 'x'.repeat(600) },
  };
}

function timed(fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

export const storeCheckBench = {
  id: 'store-check',
  title: 'Start-up store check (quick_check vs integrity_check)',
  async run(): Promise<[string, string][]> {
    const dir = mkdtempSync(path.join(tmpdir(), 'outpost-bench-store-'));
    try {
      const db = openDb(dir);
      for (let r = 0; r < REVISIONS; r++) {
        const objects = Array.from({ length: OBJECTS }, (_, i) => configMap(r, i));
        const files = Object.fromEntries(objects.map((o, i) => [`cm-${i}.yaml`, JSON.stringify(o)]));
        storeRevision(db, {
          digest: `sha256:${String(r).padStart(64, '0')}`,
          sourceKind: 'dir',
          sourceUrl: '/fleet',
          sourcePath: '.',
          files,
          objects,
        });
      }
      const changes = Array.from({ length: OBJECTS }, (_, i) => ({
        ref: `v1 ConfigMap shop/cm-${i}`,
        action: 'unchanged' as const,
      }));
      db.transaction(() => {
        for (let i = 0; i < RUNS; i++)
          finishRun(db, startRun(db, 'schedule', null), { result: 'succeeded', changes });
        const insert = db.prepare(
          'INSERT INTO host_samples (at, cpu, mem_used, mem_total) VALUES (?, ?, ?, ?)',
        );
        for (let i = 0; i < SAMPLES; i++) insert.run(i * 15_000, 0.1, 1e9, 4e9);
      })();
      db.pragma('wal_checkpoint(TRUNCATE)');
      const size = statSync(path.join(dir, 'outpost.db')).size;
      // Warm the page cache first: start-up reads a file the kernel may or may not hold; compare the checks alone.
      db.pragma('quick_check');
      const full = timed(() => db.pragma('integrity_check'));
      const quick = timed(() => db.pragma('quick_check'));
      db.close();
      return [
        ['store size', `${(size / 1024 / 1024).toFixed(1)} MB`],
        ['PRAGMA quick_check (best of 3)', `${quick.toFixed(0)} ms`],
        ['PRAGMA integrity_check (best of 3)', `${full.toFixed(0)} ms`],
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
