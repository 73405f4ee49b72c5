// A sync whose render runs past OUTPOST_RENDER_TIMEOUT or its heap fails as RenderFailed with words a person
// can act on, while the console keeps answering /healthz and the plan page gets the same error.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { stopRenderWorker } from '../../server/render/off-thread.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { fleetApp } from '../support/console.ts';
import { type Fleet, makeFleet } from '../support/fleet.ts';
import { listen, type Running, testAccess } from '../support/http.ts';

/** 9,000 legal ConfigMaps (a few seconds of rendering here); one bad name stops a render that finishes at plan. */
function bigTree(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let f = 0; f < 9; f++) {
    files[`f${f}.yaml`] = Array.from(
      { length: 1000 },
      (_, i) =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${f}-${i}\n  namespace: default\ndata:\n  k: v\n`,
    ).join('---\n');
  }
  files['z.yaml'] = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_A_Name\n  namespace: default\n';
  return files;
}

describe('render deadline and heap limit in a running console', () => {
  let f: Fleet;
  let sync: SyncService;
  let web: Running;

  before(async () => {
    f = await makeFleet(bigTree());
    sync = createSyncService(f.deps);
    web = await listen(fleetApp(f, { sync, access: await testAccess(f.db) }));
  });
  after(async () => {
    await web.close();
    await f.close();
    await stopRenderWorker();
  });

  /** Runs `fn` while asking /healthz over and over; returns its result and how many answers came before it. */
  async function whileProbing<T>(fn: () => Promise<T>): Promise<{ result: T; answers: number }> {
    let done = false;
    let answers = 0;
    const probe = (async () => {
      while (!done) {
        const res = await fetch(`${web.url}/healthz`);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'ok');
        if (!done) answers++;
      }
    })();
    try {
      return { result: await fn(), answers };
    } finally {
      done = true;
      await probe;
    }
  }

  test('a render past the deadline fails the run as RenderFailed while /healthz keeps answering', async () => {
    f.deps.render = { timeoutMs: 300 };
    const { result: run, answers } = await whileProbing(() => sync.trigger('sync-now'));
    assert.equal(run.result, 'failed');
    assert.equal(run.reason, 'RenderFailed');
    assert.equal(run.message, 'render took longer than 300ms');
    assert.ok(answers > 0, '/healthz answered while the render ran');
  });

  test("the plan page's preview gets the same named error", async () => {
    f.deps.render = { timeoutMs: 300 };
    await assert.rejects(sync.preview(), { name: 'RenderError', message: 'render took longer than 300ms' });
  });

  test('a render that exhausts its heap fails the run as RenderFailed and the server carries on', async () => {
    f.deps.render = { timeoutMs: 60_000, heapMb: 8 };
    const { result: run } = await whileProbing(() => sync.trigger('sync-now'));
    assert.equal(run.reason, 'RenderFailed');
    assert.equal(run.message, 'render ran out of memory (limit 8 MB)');
    assert.equal((await fetch(`${web.url}/healthz`)).status, 200);
  });
});
