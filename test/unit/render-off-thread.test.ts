// Every render runs on a killable worker: the same objects as inline, errors with their name and message, the
// loop free, a deadline and a heap limit that end in named errors, and nothing of the parent's process inside.
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { RenderError, render } from '../../server/render/index.ts';
import {
  keepRenderWorkerReady,
  RENDER_WORKER,
  renderOffThread,
  stopRenderWorker,
  warmRenderWorker,
} from '../../server/render/off-thread.ts';
import { dirSource } from '../../server/sources/dir.ts';

after(stopRenderWorker);

function bigTree(n: number): Record<string, string> {
  const docs = Array.from(
    { length: n },
    (_, i) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: \${NS}\ndata:\n  key: "value-${i}"\n  more: "${'x'.repeat(64)}"\n`,
  );
  const files: Record<string, string> = {};
  for (let f = 0; f * 1000 < n; f++)
    files[`app/f${f}.yaml`] = docs.slice(f * 1000, (f + 1) * 1000).join('---\n');
  return files;
}

const small = { 'x.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n' };

test('a large tree renders on a worker to the same objects, while the event loop keeps turning', async () => {
  const files = bigTree(1000);
  const opts = { vars: { NS: 'shop' } };
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const off = await renderOffThread(files, 'app', opts);
  clearInterval(timer);
  assert.deepEqual(off, render(files, 'app', opts));
  assert.equal(off.length, 1000);
  assert.equal(off[0]?.metadata.namespace, 'shop');
  assert.ok(ticks > 3, `timers ran while the worker rendered (${ticks})`);
});

test('an error in the worker arrives with its name and message, and the worker serves the next render', async () => {
  const files = bigTree(1000);
  files['app/f0.yaml'] = `${files['app/f0.yaml']}\n---\nkind: [unclosed\n`;
  await assert.rejects(renderOffThread(files, 'app'), (err: Error) => {
    assert.match(err.message, /app\/f0\.yaml/);
    assert.equal(err.name, 'RenderError');
    return true;
  });
  assert.deepEqual(await renderOffThread(small, 'x.yaml'), render(small, 'x.yaml'));
});

test('a tree under 64 KB (once rendered inline) renders on the worker too, so the deadline holds for it', async () => {
  const files = bigTree(300);
  assert.ok(Object.values(files).join('').length < 64 * 1024);
  await assert.rejects(renderOffThread(files, 'app', {}, { timeoutMs: 5 }), (err: Error) => {
    assert.ok(err instanceof RenderError);
    assert.equal(err.message, 'render took longer than 5ms');
    return true;
  });
});

test('a render past its deadline is killed with a named error and the next render works', async () => {
  await assert.rejects(renderOffThread(bigTree(9_000), 'app', {}, { timeoutMs: 200 }), (err: Error) => {
    assert.ok(err instanceof RenderError);
    assert.equal(err.message, 'render took longer than 200ms');
    return true;
  });
  assert.deepEqual(await renderOffThread(small, 'x.yaml'), render(small, 'x.yaml'));
});

test('a render that exhausts its heap fails with a named error and the process carries on', async () => {
  await assert.rejects(
    renderOffThread(bigTree(9_000), 'app', {}, { timeoutMs: 60_000, heapMb: 8 }),
    (err: Error) => {
      assert.ok(err instanceof RenderError, `${err.name}: ${err.message}`);
      assert.equal(err.message, 'render ran out of memory (limit 8 MB)');
      return true;
    },
  );
  assert.deepEqual(await renderOffThread(small, 'x.yaml'), render(small, 'x.yaml'));
  assert.ok(RENDER_WORKER.heapMb >= 128, 'the default heap leaves room for a 10,000-object render');
});

test('a polluted Object.prototype.execArgv in the parent does not reach the render worker', async () => {
  // What a `__proto__` merge once did: every options object without its own execArgv inherited this one, and
  // the next worker ran the publisher's code.
  const proto = Object.prototype as Record<string, unknown>;
  proto.execArgv = ['--import=data:text/javascript,process.exit(42)'];
  try {
    await stopRenderWorker(); // a fresh worker starts under the pollution
    const files = bigTree(1000);
    assert.equal((await renderOffThread(files, 'app', { vars: { NS: 'x' } })).length, 1000);
  } finally {
    delete proto.execArgv;
  }
});

test('the worker renders under frozen prototypes: keys named constructor or toString still merge and patch', async () => {
  const { files } = await dirSource(
    path.resolve(import.meta.dirname, '../fixtures/kustomize/prototype-keys'),
  ).fetch();
  assert.deepEqual(await renderOffThread(files, '.'), render(files, '.'));
});

// Last in the file: the compile cache, once on, stays on for the process.
test('with the compile cache on (as bin/outpost.js turns it on), the worker uses it and renders, fails and times out the same', async () => {
  const cache = mkdtempSync(path.join(tmpdir(), 'outpost-compile-cache-'));
  try {
    await stopRenderWorker(); // a fresh worker starts with the cache on
    module.enableCompileCache(cache);
    const files = bigTree(1000);
    assert.deepEqual(
      await renderOffThread(files, 'app', { vars: { NS: 'x' } }),
      render(files, 'app', { vars: { NS: 'x' } }),
    );
    // The worker's own cache folder, inside the process's: the worker turned the cache on.
    const dir = module.getCompileCacheDir() as string;
    assert.ok(readdirSync(dir).some((name) => statSync(path.join(dir, name)).isDirectory()));
    const broken = { ...files, 'app/f0.yaml': `${files['app/f0.yaml']}\n---\nkind: [unclosed\n` };
    await assert.rejects(renderOffThread(broken, 'app'), { name: 'RenderError', message: /app\/f0\.yaml/ });
    await assert.rejects(renderOffThread(bigTree(9_000), 'app', {}, { timeoutMs: 200 }), {
      message: 'render took longer than 200ms',
    });
  } finally {
    await stopRenderWorker();
    rmSync(cache, { recursive: true, force: true });
  }
});

test('a render right as the warm worker times out gets a live worker, not the one being stopped', async (t) => {
  const files = { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n' };
  await stopRenderWorker();
  t.mock.timers.enable({ apis: ['setTimeout'] });
  assert.equal((await renderOffThread(files, '.')).length, 1);
  // The idle timer fires (terminate() is under way) and a render asks for a worker in the same moment.
  t.mock.timers.tick(RENDER_WORKER.idleMs);
  const again = renderOffThread(files, '.');
  t.mock.timers.reset();
  assert.equal((await again).length, 1);
});

/**
 * Runs `fn` from no warm worker with `started` listing every worker started meanwhile (the worker_threads
 * diagnostics channel announces each), then stops the warm one.
 */
async function countingWorkers(fn: (started: Worker[]) => Promise<void>): Promise<void> {
  await stopRenderWorker();
  const started: Worker[] = [];
  const count = (m: unknown) => started.push((m as { worker: Worker }).worker);
  diagnostics.subscribe('worker_threads', count);
  try {
    await fn(started);
  } finally {
    diagnostics.unsubscribe('worker_threads', count);
    await stopRenderWorker();
  }
}

test('a render asked while the warm-up runs takes the warm-up’s worker instead of starting a second one', () =>
  countingWorkers(async (started) => {
    const warming = warmRenderWorker();
    const objects = await renderOffThread(small, '.');
    await warming;
    assert.equal(objects.length, 1);
    assert.equal(started.length, 1);
    // A render asked for later, with the worker idle and warm, starts none either.
    await renderOffThread(small, '.');
    assert.equal(started.length, 1);
  }));

test('with a worker standing by (the server), a render starts none, and the one that rendered is replaced by a fresh one', (t) =>
  countingWorkers(async (started) => {
    await keepRenderWorkerReady();
    assert.equal(started.length, 1);
    t.mock.timers.enable({ apis: ['setTimeout'] });
    assert.deepEqual(await renderOffThread(small, '.'), render(small, '.'));
    assert.equal(started.length, 1);
    // The worker that held fleet content stops after its idle time; a fresh one, warmed on trusted input, stands by.
    const stopped = new Promise((r) => started[0]?.once('exit', r));
    t.mock.timers.tick(RENDER_WORKER.idleMs);
    t.mock.timers.reset();
    await stopped;
    assert.equal(started.length, 2);
    await keepRenderWorkerReady();
    assert.deepEqual(await renderOffThread(small, '.'), render(small, '.'));
    assert.equal(started.length, 2);
  }));

test('a render killed by its deadline leaves a fresh worker standing by', () =>
  countingWorkers(async (started) => {
    await keepRenderWorkerReady();
    await assert.rejects(renderOffThread(bigTree(9_000), 'app', {}, { timeoutMs: 200 }), {
      message: 'render took longer than 200ms',
    });
    // Nothing asks for it: the killed worker's place is taken by itself.
    for (let i = 0; i < 100 && started.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(started.length, 2);
    await keepRenderWorkerReady();
    assert.deepEqual(await renderOffThread(small, '.'), render(small, '.'));
    assert.equal(started.length, 2);
  }));
