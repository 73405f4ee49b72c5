// Live console against the simulator: watches feed the pages, change notices and followed logs go out over SSE.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadKubeConfig } from '../../server/cluster/kubeconfig.ts';
import { simClient, waitFor } from '../../server/kubesim/testing.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { CHANGED_EVENT, createSseHub, type SseHub } from '../../server/web/sse.ts';
import { fleetApp } from '../support/console.ts';
import { configMap, deployment, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';

let f: Fleet;
let sync: SyncService;
let web: Running;
let events: SseHub;
const MAX = 4;

before(async () => {
  f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings'), 'web.yaml': deployment('web') });
  sync = createSyncService({
    ...f.deps,
    kubeConfig: await loadKubeConfig({ mode: 'kubeconfig', path: f.sim.kubeconfigPath as string }),
  });
  // Background reads an hour apart: whatever reaches the page within the test came over the watches.
  sync.start({
    schedule: '0 0 1 1 *',
    nodeName: 'gw',
    liveIntervalMs: 3_600_000,
    clusterIntervalMs: 3_600_000,
  });
  const run = await sync.trigger('sync-now');
  assert.equal(run.result, 'succeeded', run.message ?? '');
  events = createSseHub({ version: () => sync.version(), max: MAX });
  web = await listen(fleetApp(f, { sync, access: await testAccess(f.db), events }));
  await waitFor(
    async () => sync.cluster.workload('Deployment', 'shop', 'web')?.state === 'ok',
    5000,
    'web ok',
  );
});
after(async () => {
  events?.close();
  await web?.close();
  await sync?.stop();
  await f?.close();
});

/** An SSE stream read as text until stopped. */
async function sse(b: Browser, path: string) {
  const ac = new AbortController();
  const res = await b.request(path, { signal: ac.signal });
  let text = '';
  const done = (async () => {
    if (res.status !== 200) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>)
        text += decoder.decode(chunk, { stream: true });
    } catch {
      // aborted by the test
    }
  })();
  return {
    status: res.status,
    text: () => text,
    done,
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}

const scale = (replicas: number) =>
  simClient(f.sim.url).apply(
    '/apis/apps/v1/namespaces/shop/deployments/web',
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { replicas },
    },
    'ops',
    '&force=true',
  );

describe('live console', () => {
  test('a change in the cluster reaches the open page as a change notice and the workload page shows it', async () => {
    const b = await new Browser(web.url).login('viewer');
    const stream = await sse(b, '/events');
    assert.equal(stream.status, 200);
    await scale(3);
    await waitFor(async () => stream.text().includes(`event: ${CHANGED_EVENT}`), 5000, 'a change notice');
    await waitFor(
      async () => (await b.page('/workloads/Deployment/shop/web')).includes('data-testid="ready">3/3'),
      5000,
      'the page to show 3/3',
    );
    await stream.stop();
    await waitFor(async () => events.count() === 0, 3000, 'the stream to be let go');
  });

  test('the applied objects’ health follows the cluster: a deleted ConfigMap shows as missing', async () => {
    await simClient(f.sim.url).del('/api/v1/namespaces/shop/configmaps/settings');
    await waitFor(
      async () =>
        sync.live.snapshot().objects.find((o) => o.ref.kind === 'ConfigMap')?.health.status === 'Degraded',
      5000,
      'the ConfigMap missing',
    );
  });

  test('streams are bounded: one over the limit gets 503, and closing the hub ends them all', async () => {
    const b = await new Browser(web.url).login('viewer');
    const open = await Promise.all(Array.from({ length: MAX }, () => sse(b, '/events')));
    assert.ok(open.every((s) => s.status === 200));
    const refused = await b.request('/events');
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '30');
    for (const s of open) await s.stop();
    await waitFor(async () => events.count() === 0, 3000, 'all streams let go');
  });

  test('a followed log streams new lines escaped, and its upstream closes when the page goes', async () => {
    const pod = sync.cluster.workload('Deployment', 'shop', 'web')?.pods[0];
    assert.ok(pod);
    const b = await new Browser(web.url).login('viewer');
    const stream = await sse(b, `/pods/shop/${pod.name}/logs/stream?container=main`);
    assert.equal(stream.status, 200);
    await waitFor(async () => f.sim.logFollowers() === 1, 3000, 'the upstream follow');
    f.sim.writeLog('shop', pod.name, '<b>hello</b> & bye');
    await waitFor(
      async () => stream.text().includes('data: &#60;b&#62;hello&#60;/b&#62; &#38; bye\ndata: \n\n'),
      3000,
      'the line on the page',
    );
    await stream.stop();
    await waitFor(async () => f.sim.logFollowers() === 0, 3000, 'the upstream to close');
    assert.equal(events.count(), 0);
  });

  test('a log ends with log-end when the pod goes away', async () => {
    const pod = sync.cluster.workload('Deployment', 'shop', 'web')?.pods[0];
    assert.ok(pod);
    const b = await new Browser(web.url).login('viewer');
    const stream = await sse(b, `/pods/shop/${pod.name}/logs/stream`);
    await waitFor(async () => f.sim.logFollowers() === 1, 3000, 'the upstream follow');
    await simClient(f.sim.url).del(`/api/v1/namespaces/shop/pods/${pod.name}`);
    await stream.done;
    assert.match(stream.text(), /event: log-end\n/);
    assert.equal((await b.request('/pods/kube-system/coredns/logs/stream')).status, 403);
  });

  test('a followed log the API refuses (a container it cannot read) answers 400 naming the pod, no stream', async () => {
    const pod = sync.cluster.workload('Deployment', 'shop', 'web')?.pods[0];
    assert.ok(pod);
    const b = await new Browser(web.url).login('viewer');
    const res = await b.request(`/pods/shop/${pod.name}/logs/stream?container=nope`);
    assert.equal(res.status, 400);
    const text = await res.text();
    assert.match(text, new RegExp(`^log of pod shop/${pod.name}: `));
    assert.doesNotMatch(text, /log of pod.*log of pod/s);
    assert.equal(f.sim.logFollowers(), 0);
  });

  test('an API server restart: pages answer from the cache meanwhile, then the watches catch up', async () => {
    const b = await new Browser(web.url).login('viewer');
    const restarting = f.sim.restart(2000);
    await waitFor(async () => sync.cluster.snapshot().error !== null, 1900, 'the watch to notice');
    const during = await b.request('/workloads');
    assert.equal(during.status, 200);
    const html = await during.text();
    assert.match(html, /web/);
    assert.match(html, /cannot be read|unreadable|role="alert"/);
    await restarting;
    await scale(2);
    await waitFor(
      async () => (await b.page('/workloads/Deployment/shop/web')).includes('data-testid="ready">2/2'),
      10_000,
      'the change after the restart',
    );
    await waitFor(async () => sync.cluster.snapshot().error === null, 10_000, 'the error to clear');
  });
});
