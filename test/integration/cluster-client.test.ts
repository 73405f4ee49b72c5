// The cluster client's LISTs against the simulator: pages of LIST_PAGE objects, an expired continue token.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MANAGED_BY } from '../../server/apply/labels.ts';
import { readPresence } from '../../server/apply/live.ts';
import { LIST_PAGE, openCluster } from '../../server/cluster/client.ts';
import type { ClusterClient } from '../../server/cluster/types.ts';
import { type Kubesim, startKubesim } from '../../server/kubesim/index.ts';

const COUNT = 2 * LIST_PAGE + 17;

describe('cluster client lists', () => {
  let dir: string;
  let sim: Kubesim;
  let cluster: ClusterClient;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'outpost-client-'));
    const kubeconfigPath = path.join(dir, 'kubeconfig.yaml');
    sim = await startKubesim({ kubeconfigPath });
    cluster = await openCluster({ mode: 'kubeconfig', path: kubeconfigPath });
    const manager = { fieldManager: 'test' };
    await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pages' } }, manager);
    for (let i = 0; i < COUNT; i++)
      await cluster.apply(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `cm-${i}`, namespace: 'pages', labels: { set: 'paged' } },
          data: { i: `${i}` },
        },
        manager,
      );
  });
  after(async () => {
    cluster.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const names = (items: { metadata: { name: string } }[]) => new Set(items.map((o) => o.metadata.name));

  test('a large list comes in pages and arrives whole, each item with its apiVersion and kind', async () => {
    sim.stats.reset();
    const items = await cluster.list('v1', 'ConfigMap', { namespace: 'pages', labelSelector: 'set=paged' });
    assert.equal(items.length, COUNT);
    assert.equal(names(items).size, COUNT);
    assert.ok(items.every((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap'));
    assert.equal(sim.stats.requests, Math.ceil(COUNT / LIST_PAGE));
  });

  test('names come from a Table list, page by page, without the objects', async () => {
    sim.stats.reset();
    const got = await cluster.names('v1', 'ConfigMap', { namespace: 'pages', labelSelector: 'set=paged' });
    assert.equal(got.length, COUNT);
    assert.deepEqual(
      new Set(got),
      names(await cluster.list('v1', 'ConfigMap', { namespace: 'pages', labelSelector: 'set=paged' })),
    );
    assert.equal(sim.stats.requests, 2 * Math.ceil(COUNT / LIST_PAGE));
  });

  test('presence: what the managed list shows, what only a GET finds, and what is gone', async () => {
    const manager = { fieldManager: 'test' };
    const mine = { [MANAGED_BY]: 'outpost' };
    await cluster.apply(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ours', namespace: 'pages', labels: mine } },
      manager,
    );
    await cluster.apply(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'key', namespace: 'pages', labels: mine } },
      manager,
    );
    const ref = (kind: string, name: string) => ({ apiVersion: 'v1', kind, namespace: 'pages', name });
    const refs = [
      ref('ConfigMap', 'ours'),
      ref('ConfigMap', 'cm-3'),
      ref('ConfigMap', 'gone'),
      ref('Secret', 'key'),
    ];
    const present = await readPresence(cluster, refs);
    assert.deepEqual([...present].sort(), [
      'v1 ConfigMap pages/cm-3',
      'v1 ConfigMap pages/ours',
      'v1 Secret pages/key',
    ]);
  });

  test('an expired continue token (410) starts the list again instead of losing or doubling objects', async () => {
    sim.faults.inject({
      status: 410,
      pathIncludes: 'continue=',
      times: 1,
      message: 'continue token expired',
    });
    sim.stats.reset();
    const items = await cluster.list('v1', 'ConfigMap', { namespace: 'pages', labelSelector: 'set=paged' });
    assert.equal(items.length, COUNT);
    assert.equal(names(items).size, COUNT);
    assert.equal(sim.stats.requests, 1 + 1 + Math.ceil(COUNT / LIST_PAGE), 'page 1, the 410, then all pages');
  });

  test('a token that keeps expiring fails with the list named, after two fresh starts', async () => {
    const id = sim.faults.inject({
      status: 410,
      pathIncludes: 'continue=',
      message: 'continue token expired',
    });
    try {
      await assert.rejects(
        cluster.list('v1', 'ConfigMap', { namespace: 'pages', labelSelector: 'set=paged' }),
        /list v1 ConfigMap: .*expired/,
      );
    } finally {
      sim.faults.clear(id);
    }
  });
});
