// Restart safety: kill -9 at random points of reconciles (sometimes twice in a row); every restart converges.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { refString } from '../../server/cluster/types.ts';
import { openDb } from '../../server/db/open.ts';
import { inFlightRevisions, inventory } from '../../server/db/revisions.ts';
import { closeAbandonedRuns, recentRuns } from '../../server/db/runs.ts';
import { dirSource } from '../../server/sources/dir.ts';
import { reconcile } from '../../server/sync/reconciler.ts';
import { heldCell, lkgRevision } from '../../server/sync/state-keys.ts';
import { configMap, deployment, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { silentLog } from '../support/log.ts';
import { ROOT } from '../support/process.ts';

const KILLS = 50;

/** Three revisions: A, B (more objects, new image), C (an image that never pulls: rolls back). */
const REVISIONS: Record<string, Record<string, string>> = {
  a: { 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'a'), 'web.yaml': deployment('web', 'shop/web:a') },
  b: {
    'ns.yaml': NS,
    'cm.yaml': configMap('settings', 'b'),
    'cm-b1.yaml': configMap('only-in-b1'),
    'cm-b2.yaml': configMap('only-in-b2'),
    'web.yaml': deployment('web', 'shop/web:b'),
    'api.yaml': deployment('api', 'shop/api:b'),
  },
  c: {
    'ns.yaml': NS,
    'cm.yaml': configMap('settings', 'c'),
    'web.yaml': deployment('web', 'shop/web:broken-c'),
  },
};

/** Mulberry32: a seeded generator, so a failing kill schedule can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('crash safety', () => {
  let f: Fleet;
  const dirs: Record<string, string> = {};
  before(async () => {
    f = await makeFleet(REVISIONS.a as Record<string, string>, { readyDelayMs: 30 });
    for (const [name, files] of Object.entries(REVISIONS)) {
      dirs[name] = path.join(f.dir, `rev-${name}`);
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(dirs[name] as string, { recursive: true });
        writeFileSync(path.join(dirs[name] as string, file), text);
      }
    }
    // Start from an applied revision A, as a node in the field would.
    assert.equal(
      (await reconcile({ ...f.deps, source: dirSource(dirs.a as string) }, 'startup')).result,
      'succeeded',
    );
    f.db.close();
  });
  after(async () => {
    // The fleet's own db handle is closed already; close() tolerates that.
    await f.close().catch(() => undefined);
  });

  /** Objects carrying our label in the cluster, as refStrings. */
  async function owned(): Promise<string[]> {
    const kinds: [string, string][] = [
      ['v1', 'ConfigMap'],
      ['apps/v1', 'Deployment'],
      ['v1', 'Namespace'],
    ];
    const out: string[] = [];
    for (const [apiVersion, kind] of kinds) {
      for (const o of await f.cluster.list(apiVersion, kind, {
        labelSelector: 'app.kubernetes.io/managed-by=outpost',
      })) {
        out.push(refString({ apiVersion, kind, namespace: o.metadata.namespace, name: o.metadata.name }));
      }
    }
    return out.sort();
  }

  test(`${KILLS} kill -9 at random points (every fourth: two in a row) each end in a restart that converges to one whole revision`, async () => {
    const random = rng(20261124);
    const seen = new Set<string>();
    for (let i = 0; i < KILLS; i++) {
      // Every fourth restart crashes again before converging, in a child that starts on another revision: two
      // crashes in a row during different revisions must not orphan the first one's objects.
      const starts =
        i % 4 === 3
          ? [
              ['b', 'c', 'a'],
              ['c', 'a', 'b'],
            ]
          : [['b', 'c', 'a']];
      for (const order of starts) {
        const child = spawn(
          process.execPath,
          [
            path.join(ROOT, 'test', 'support', 'reconcile-child.ts'),
            f.dataDir,
            path.join(f.dir, 'kubeconfig.yaml'),
            ...order.map((r) => dirs[r] as string),
          ],
          { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
        );
        await new Promise<void>((resolve, reject) => {
          child.stdout.once('data', () => resolve());
          child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
        });
        await new Promise((r) => setTimeout(r, Math.floor(random() * 700)));
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(-(child.pid as number), 'SIGKILL');
        await exited;
      }

      const db = openDb(f.dataDir);
      const before = JSON.stringify({
        lkg: lkgRevision.get(db),
        inFlight: inFlightRevisions(db),
        held: heldCell.get(db),
      });
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        closeAbandonedRuns(db);
        assert.equal(recentRuns(db, 1000).filter((r) => r.result === 'running').length, 0);
        // Converge: offline on even kills (back to the LKG from the store), online to revision A on odd ones.
        const offline = i % 2 === 0;
        const source = dirSource(offline ? path.join(f.dir, 'unreachable') : (dirs.a as string));
        const deps = {
          db,
          cluster: f.cluster,
          source,
          sourcePath: '.',
          log: silentLog,
          policy: { healthTimeoutMs: 3_000, healthIntervalMs: 20 },
        };
        const run = await reconcile(deps, 'startup');
        assert.equal(run.result, offline ? 'failed' : 'succeeded', `kill ${i}: ${run.message}`);
        const lkg = lkgRevision.get(db);
        assert.ok(lkg, `kill ${i}: an LKG exists`);
        const expected = inventory(db, lkg.revisionId).map(refString).sort();
        assert.deepEqual(
          await owned(),
          expected,
          `kill ${i}: the cluster holds exactly the LKG objects; before: ${before}; run: ${JSON.stringify(run)}`,
        );
        seen.add(lkg.digest);
      } finally {
        db.close();
      }
    }
    // The schedule must have exercised more than one revision as LKG, or it proved little.
    assert.ok(seen.size >= 2, `LKG digests seen: ${seen.size}`);
  });
});
