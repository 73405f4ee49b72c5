// Child process for crash tests: reconciles in a loop, alternating sources, until it is killed.
// argv: <dataDir> <kubeconfig> <sourceDir>...
import { openCluster } from '../../server/cluster/client.ts';
import { openDb } from '../../server/db/open.ts';
import { closeAbandonedRuns } from '../../server/db/runs.ts';
import { warmRenderWorker } from '../../server/render/off-thread.ts';
import { dirSource } from '../../server/sources/dir.ts';
import { reconcile } from '../../server/sync/reconciler.ts';
import { silentLog } from './log.ts';

const [dataDir, kubeconfig, ...sources] = process.argv.slice(2) as [string, string, ...string[]];
const db = openDb(dataDir);
closeAbandonedRuns(db);
const cluster = await openCluster({ mode: 'kubeconfig', path: kubeconfig });
// Ready includes a warm render worker, so the kills fall across whole reconciles rather than mostly into the
// first worker's start.
await warmRenderWorker();
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const source = dirSource(sources[i % sources.length] as string);
  await reconcile(
    {
      db,
      cluster,
      source,
      sourcePath: '.',
      log: silentLog,
      policy: { healthTimeoutMs: 2_000, healthIntervalMs: 20 },
    },
    'schedule',
  );
}
