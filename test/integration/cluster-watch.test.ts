// Informers against the simulator: changes arrive over the watch, 410 makes them list again, restarts recover.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadKubeConfig } from '../../server/cluster/kubeconfig.ts';
import { type Informer, startInformer } from '../../server/cluster/watch.ts';
import { type Kubesim, startKubesim } from '../../server/kubesim/index.ts';
import { type SimClient, simClient, waitFor } from '../../server/kubesim/testing.ts';
import { cm, makeNamespace } from '../support/kubesim.ts';

let sim: Kubesim;
let k: SimClient;
let dir: string;
const informers: Informer[] = [];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cluster-watch-'));
  sim = await startKubesim({ readyDelayMs: 20, bookmarkMs: 50, kubeconfigPath: path.join(dir, 'kc') });
  k = simClient(sim.url);
  await makeNamespace(k, 'iw');
});
after(async () => {
  for (const i of informers) await i.stop();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

async function informer(p: string, labelSelector?: string) {
  const kc = await loadKubeConfig({ mode: 'kubeconfig', path: sim.kubeconfigPath as string });
  let changes = 0;
  const inf = await startInformer(kc, p, {
    ...(labelSelector ? { labelSelector } : {}),
    onChange: () => changes++,
    retry: { baseMs: 20, maxMs: 100 },
  });
  informers.push(inf);
  await waitFor(async () => inf.status().synced, 5000, `${p} synced`);
  return { inf, changes: () => changes };
}

const names = (inf: Informer) => inf.list().map((o) => o.metadata.name);

describe('informer', () => {
  test('lists, then follows creates, updates and deletes over the watch without listing again', async () => {
    await k.post('/api/v1/namespaces/iw/configmaps', cm('one', 'iw'));
    const { inf, changes } = await informer('/api/v1/namespaces/iw/configmaps');
    assert.ok(names(inf).includes('one'));
    const seen = changes();
    await k.post('/api/v1/namespaces/iw/configmaps', cm('two', 'iw'));
    await waitFor(async () => names(inf).includes('two'), 3000, 'two in the cache');
    await k.del('/api/v1/namespaces/iw/configmaps/one');
    await waitFor(async () => !names(inf).includes('one'), 3000, 'one gone from the cache');
    assert.ok(changes() > seen);
    assert.equal(inf.status().lists, 1);
    assert.equal(inf.status().error, null);
  });

  test('the cache keeps no managedFields', async () => {
    const { inf } = await informer('/api/v1/namespaces/iw/configmaps');
    await k.apply('/api/v1/namespaces/iw/configmaps/applied', cm('applied', 'iw'), 'outpost');
    await waitFor(async () => names(inf).includes('applied'), 3000, 'applied in the cache');
    const o = inf.list().find((x) => x.metadata.name === 'applied');
    assert.equal(o?.metadata.managedFields, undefined);
    assert.deepEqual((o as { data?: unknown }).data, { a: '1' });
  });

  test('a label selector limits the cache', async () => {
    const labelled = {
      ...cm('lab', 'iw'),
      metadata: { name: 'lab', namespace: 'iw', labels: { team: 'a' } },
    };
    await k.post('/api/v1/namespaces/iw/configmaps', labelled);
    const { inf } = await informer('/api/v1/namespaces/iw/configmaps', 'team=a');
    assert.deepEqual(names(inf), ['lab']);
  });

  test('an expired version (410) makes the informer list again and catch up', async () => {
    // No bookmarks here: the informer's version stays where its list left it.
    const quiet = await startKubesim({ bookmarkMs: 600_000, kubeconfigPath: path.join(dir, 'quiet') });
    try {
      const kc = await loadKubeConfig({ mode: 'kubeconfig', path: quiet.kubeconfigPath as string });
      const inf = await startInformer(kc, '/api/v1/namespaces/default/configmaps', {
        onChange: () => {},
        retry: { baseMs: 20, maxMs: 100 },
      });
      informers.push(inf);
      await waitFor(async () => inf.status().synced, 5000, 'synced');
      const q = simClient(quiet.url);
      // Changes elsewhere move the store on without an event for this watch; compaction forgets them.
      await q.post('/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'elsewhere' },
      });
      quiet.compact();
      // The next watch must resume from the forgotten version: drop the open one.
      await quiet.restart(0);
      await q.post('/api/v1/namespaces/default/configmaps', cm('after-compaction'));
      await waitFor(async () => inf.status().lists === 2, 5000, 'a relist');
      await waitFor(async () => names(inf).includes('after-compaction'), 5000, 'the new object');
    } finally {
      await quiet.close();
    }
  });

  test('a restarted API server: the cache stays readable while it is down and the watch recovers', async () => {
    const { inf } = await informer('/api/v1/namespaces/iw/configmaps');
    const before = names(inf);
    const restarting = sim.restart(300);
    // Down: the cache still answers with what it had.
    assert.deepEqual(names(inf), before);
    await restarting;
    await k.post('/api/v1/namespaces/iw/configmaps', cm('after-restart', 'iw'));
    await waitFor(async () => names(inf).includes('after-restart'), 5000, 'the change after the restart');
    await waitFor(async () => inf.status().error === null, 5000, 'the error to clear');
  });

  test('stop ends the watch', async () => {
    const { inf } = await informer('/api/v1/namespaces/iw/configmaps');
    await inf.stop();
    await k.post('/api/v1/namespaces/iw/configmaps', cm('after-stop', 'iw'));
    // A later informer sees it, the stopped one never does.
    const { inf: other } = await informer('/api/v1/namespaces/iw/configmaps');
    assert.ok(names(other).includes('after-stop'));
    assert.ok(!names(inf).includes('after-stop'));
  });
});
