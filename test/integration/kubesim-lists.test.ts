// The simulator's lists, deletes, dry-run, error paths, watch streams, fault injection and request stats.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kubesim } from '../../server/kubesim/index.ts';
import { type SimClient, waitFor } from '../../server/kubesim/testing.ts';
import { cm, makeNamespace, useKubesim } from '../support/kubesim.ts';

let sim: Kubesim;
let k: SimClient;

useKubesim({ readyDelayMs: 50 }, (s, client) => {
  sim = s;
  k = client;
});

describe('list and delete', () => {
  test('list filters by label selector operators and field selector', async () => {
    await makeNamespace(k, 'sel');
    const labelled = (name: string, labels: Record<string, string>) => ({
      ...cm(name, 'sel'),
      metadata: { name, namespace: 'sel', labels },
    });
    await k.post('/api/v1/namespaces/sel/configmaps', labelled('a', { app: 'web', tier: 'front' }));
    await k.post('/api/v1/namespaces/sel/configmaps', labelled('b', { app: 'web', tier: 'back' }));
    await k.post('/api/v1/namespaces/sel/configmaps', labelled('c', { app: 'db' }));
    const names = async (q: string) =>
      (await k.get(`/api/v1/namespaces/sel/configmaps?${q}`)).body.items
        .map((i: { metadata: { name: string } }) => i.metadata.name)
        .filter((n: string) => n !== 'kube-root-ca.crt');
    assert.deepEqual(await names('labelSelector=app%3Dweb'), ['a', 'b']);
    assert.deepEqual(await names('labelSelector=app%3D%3Dweb,tier!%3Dback'), ['a']);
    assert.deepEqual(await names('labelSelector=tier%20in%20(front,back)'), ['a', 'b']);
    assert.deepEqual(await names('labelSelector=app,!tier'), ['c']);
    assert.deepEqual(await names('labelSelector=app%20notin%20(web)'), ['c']);
    assert.deepEqual(await names('fieldSelector=metadata.name%3Db'), ['b']);
    const list = await k.get('/api/v1/namespaces/sel/configmaps');
    assert.equal(list.body.kind, 'ConfigMapList');
    assert.match(list.body.metadata.resourceVersion, /^\d+$/);
    assert.equal(list.body.items[0].kind, undefined, 'built-in list items carry no kind on the wire');
    const all = await k.get('/api/v1/configmaps?labelSelector=app%3Dweb');
    assert.equal(all.body.items.length, 2);
  });

  test('list pages with limit and continue', async () => {
    await makeNamespace(k, 'pages');
    for (const n of ['p1', 'p2', 'p3']) await k.post('/api/v1/namespaces/pages/configmaps', cm(n, 'pages'));
    const first = await k.get('/api/v1/namespaces/pages/configmaps?limit=2');
    assert.equal(first.body.items.length, 2);
    assert.ok(first.body.metadata.continue);
    const rest = await k.get(
      `/api/v1/namespaces/pages/configmaps?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    assert.ok(rest.body.items.length >= 1);
    assert.ok(
      !rest.body.items.some((i: { metadata: { name: string } }) =>
        first.body.items.some((f: { metadata: { name: string } }) => f.metadata.name === i.metadata.name),
      ),
    );
  });

  test('delete returns a Success Status, then the object is 404', async () => {
    const created = await k.post('/api/v1/namespaces/default/configmaps', cm('gone'));
    const del = await k.del('/api/v1/namespaces/default/configmaps/gone');
    assert.equal(del.status, 200);
    assert.equal(del.body.status, 'Success');
    assert.equal(del.body.details.uid, created.body.metadata.uid);
    assert.equal((await k.get('/api/v1/namespaces/default/configmaps/gone')).status, 404);
    assert.equal((await k.del('/api/v1/namespaces/default/configmaps/gone')).status, 404);
  });

  test('an object with a finalizer stays Terminating until its finalizer is removed', async () => {
    await k.post('/api/v1/namespaces/default/configmaps', {
      ...cm('held'),
      metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/hold'] },
    });
    const del = await k.del('/api/v1/namespaces/default/configmaps/held');
    assert.equal(del.status, 200);
    assert.equal(del.body.kind, 'ConfigMap');
    assert.ok(del.body.metadata.deletionTimestamp);
    const still = await k.get('/api/v1/namespaces/default/configmaps/held');
    assert.equal(still.status, 200);
    assert.ok(still.body.metadata.deletionTimestamp);
    const released = await k.req(
      'PATCH',
      '/api/v1/namespaces/default/configmaps/held',
      { metadata: { finalizers: null } },
      'application/merge-patch+json',
    );
    assert.equal(released.status, 200);
    assert.equal((await k.get('/api/v1/namespaces/default/configmaps/held')).status, 404);
  });

  test('deleting a namespace terminates it, refuses new content, then removes everything in it', async () => {
    await makeNamespace(k, 'doomed');
    await k.post('/api/v1/namespaces/doomed/configmaps', cm('x', 'doomed'));
    await k.post('/api/v1/namespaces/doomed/secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      stringData: { k: 'v' },
    });
    const del = await k.del('/api/v1/namespaces/doomed');
    assert.equal(del.status, 200);
    assert.equal(del.body.kind, 'Namespace');
    assert.equal(del.body.status.phase, 'Terminating');
    const refused = await k.post('/api/v1/namespaces/doomed/configmaps', cm('late', 'doomed'));
    assert.equal(refused.status, 403);
    assert.equal(
      refused.body.message,
      'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    );
    await waitFor(
      async () => (await k.get('/api/v1/namespaces/doomed')).status === 404,
      3000,
      'namespace gone',
    );
    assert.equal((await k.get('/api/v1/namespaces/doomed/configmaps/x')).status, 404);
    const leftovers = await k.get('/api/v1/secrets?fieldSelector=metadata.namespace%3Ddoomed');
    assert.equal(leftovers.body.items.length, 0);
  });

  test('dryRun=All validates and answers as if done but stores nothing', async () => {
    const before = await k.get('/api/v1/namespaces/default/configmaps');
    const dry = await k.post('/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    assert.equal(dry.status, 201);
    assert.equal(dry.body.metadata.name, 'dry');
    assert.equal((await k.get('/api/v1/namespaces/default/configmaps/dry')).status, 404);
    const invalid = await k.post('/api/v1/namespaces/default/configmaps?dryRun=All', cm('Not Valid'));
    assert.equal(invalid.status, 422);
    await k.post('/api/v1/namespaces/default/configmaps', cm('dry2'));
    const live = (await k.get('/api/v1/namespaces/default/configmaps/dry2')).body;
    const dryApply = await k.apply(
      '/api/v1/namespaces/default/configmaps/dry2',
      cm('dry2', 'default', { a: 'changed' }),
      'tester',
      '&dryRun=All&force=true',
    );
    assert.equal(dryApply.status, 200);
    assert.deepEqual(dryApply.body.data, { a: 'changed' });
    const dryDelete = await k.del('/api/v1/namespaces/default/configmaps/dry2?dryRun=All');
    assert.equal(dryDelete.status, 200);
    const after = (await k.get('/api/v1/namespaces/default/configmaps/dry2')).body;
    assert.equal(after.metadata.resourceVersion, live.metadata.resourceVersion);
    assert.deepEqual(after.data, { a: '1' });
    const afterList = await k.get('/api/v1/namespaces/default/configmaps');
    assert.equal(afterList.body.items.length, before.body.items.length + 1);
  });
});

describe('errors', () => {
  test('unknown resources, unknown groups and wrong methods answer like the real server', async () => {
    const unknown = await k.get('/api/v1/namespaces/default/widgets');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.message, 'the server could not find the requested resource');
    assert.equal((await k.get('/apis/example.com/v1/widgets')).status, 404);
    const post = await k.post('/api/v1/namespaces/default/configmaps/named', cm('named'));
    assert.equal(post.status, 405);
    assert.equal(post.body.reason, 'MethodNotAllowed');
    const proto = await k.req(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      'k8s\u0000',
      'application/vnd.kubernetes.protobuf',
    );
    assert.equal(proto.status, 415);
  });
});

describe('watch', () => {
  test('watch streams ADDED, MODIFIED and DELETED events from a resourceVersion', async () => {
    await makeNamespace(k, 'watched');
    const start = (await k.get('/api/v1/namespaces/watched/configmaps')).body.metadata.resourceVersion;
    const ac = new AbortController();
    const res = await fetch(
      `${sim.url}/api/v1/namespaces/watched/configmaps?watch=true&resourceVersion=${start}`,
      { signal: ac.signal },
    );
    assert.equal(res.status, 200);
    const events: { type: string; object: { metadata: { name: string } } }[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let i = buf.indexOf('\n');
          while (i >= 0) {
            events.push(JSON.parse(buf.slice(0, i)));
            buf = buf.slice(i + 1);
            i = buf.indexOf('\n');
          }
        }
      } catch {
        // aborted at the end of the test
      }
    })();
    const created = await k.post('/api/v1/namespaces/watched/configmaps', cm('w', 'watched'));
    await k.put('/api/v1/namespaces/watched/configmaps/w', { ...created.body, data: { a: '2' } });
    await k.del('/api/v1/namespaces/watched/configmaps/w');
    await waitFor(
      async () => events.filter((e) => e.object.metadata.name === 'w').length >= 3,
      3000,
      'watch events',
    );
    ac.abort();
    await reading;
    assert.deepEqual(
      events.filter((e) => e.object.metadata.name === 'w').map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
  });
});

describe('faults and stats', () => {
  test('an injected 500 fails the next request with an InternalError Status, then clears', async () => {
    const id = sim.faults.inject({ status: 500, times: 1, pathIncludes: '/configmaps' });
    assert.ok(id);
    const failed = await k.get('/api/v1/namespaces/default/configmaps');
    assert.equal(failed.status, 500);
    assert.equal(failed.body.kind, 'Status');
    assert.equal(failed.body.reason, 'InternalError');
    assert.equal((await k.get('/api/v1/namespaces/default/configmaps')).status, 200);
    sim.faults.inject({ status: 409, method: 'POST' });
    assert.equal((await k.post('/api/v1/namespaces/default/configmaps', cm('f1'))).status, 409);
    assert.equal(
      (await k.get('/api/v1/namespaces/default/configmaps')).status,
      200,
      'GET does not match a POST fault',
    );
    sim.faults.clear();
    assert.equal((await k.post('/api/v1/namespaces/default/configmaps', cm('f1'))).status, 201);
  });

  test('faults are driven over HTTP and can drop connections', async () => {
    const injected = await k.post('/_sim/faults', {
      dropConnection: true,
      times: 1,
      pathIncludes: '/api/v1/nodes',
    });
    assert.equal(injected.status, 201);
    await assert.rejects(fetch(`${sim.url}/api/v1/nodes`));
    assert.equal((await k.get('/api/v1/nodes')).status, 200);
    await k.post('/_sim/faults', { status: 503 });
    assert.equal((await k.get('/api/v1/nodes')).status, 503);
    assert.equal((await k.del('/_sim/faults')).status, 200);
    assert.equal((await k.get('/api/v1/nodes')).status, 200);
  });

  test('a hang fault holds the request open and a latency fault delays it', async () => {
    sim.faults.inject({ hang: true, times: 1, pathIncludes: '/api/v1/namespaces/kube-public' });
    await assert.rejects(
      fetch(`${sim.url}/api/v1/namespaces/kube-public`, { signal: AbortSignal.timeout(150) }),
    );
    sim.faults.inject({ latencyMs: 120, times: 1, method: 'GET', pathIncludes: '/version' });
    const t0 = Date.now();
    assert.equal((await k.get('/version')).status, 200);
    assert.ok(Date.now() - t0 >= 110, 'the latency fault delayed the answer');
    assert.equal((await k.get('/api/v1/namespaces/kube-public')).status, 200);
  });

  test('stats count requests and only non-dry-run writes', async () => {
    sim.stats.reset();
    await k.get('/api/v1/namespaces');
    await k.post('/api/v1/namespaces/default/configmaps?dryRun=All', cm('s1'));
    await k.post('/api/v1/namespaces/default/configmaps', cm('s1'));
    await k.apply('/api/v1/namespaces/default/configmaps/s1', cm('s1'), 'tester');
    assert.equal(sim.stats.requests, 4);
    assert.equal(sim.stats.writes, 2);
    assert.deepEqual(sim.stats.byMethod, { GET: 1, POST: 2, PATCH: 1 });
  });
});
