// When kubesim's controllers act on writes: spaced out while a burst of writes lasts (a pass never hogs the loop),
// and within a few milliseconds of the burst's end, as real controllers would, not a pass's spacing later.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Controllers } from '../../server/kubesim/controllers/index.ts';
import { Engine } from '../../server/kubesim/engine.ts';
import { seed } from '../../server/kubesim/seed.ts';
import { create } from '../../server/kubesim/write.ts';

function deployment(name: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1' }] },
      },
    },
  };
}

/**
 * Controllers over a seeded store on mocked timers, their last pass taken to have cost `lastPassMs`; `write`
 * applies a Deployment, `replicaSets` counts what the passes made of them.
 */
function simulated(t: TestContext, lastPassMs: number) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const engine = new Engine();
  const controllers = new Controllers(engine, { readyDelayMs: 0, failImages: [] });
  t.after(() => controllers.close());
  seed(engine, controllers.context);
  t.mock.timers.tick(1_000);
  (controllers as unknown as { lastPassMs: number }).lastPassMs = lastPassMs;
  const rt = engine.rtOf('apps/v1', 'Deployment');
  return {
    write: (name: string) => create(engine, rt, 'default', deployment(name), { manager: 'test' }),
    replicaSets: () => engine.store.list(engine.key(engine.rtOf('apps/v1', 'ReplicaSet')), 'default').length,
  };
}

test('a burst of writes waits for its pass until the writes stop, then gets it at once', (t) => {
  // As after a costly pass: the next one under a burst comes 200 ms after the burst's first write.
  const sim = simulated(t, 100);
  for (let i = 0; i < 50; i++) {
    sim.write(`d${i}`);
    t.mock.timers.tick(1);
  }
  assert.equal(sim.replicaSets(), 0, 'no pass while the writes keep coming');
  t.mock.timers.tick(3);
  assert.equal(sim.replicaSets(), 50, 'one pass as soon as they stop');
});

test('writes that never pause still get a pass, spaced by the cost of the last one', (t) => {
  const sim = simulated(t, 25);
  for (let i = 0; i < 60; i++) {
    sim.write(`d${i}`);
    t.mock.timers.tick(1);
  }
  assert.ok(sim.replicaSets() >= 50, 'a pass ran 50 ms into the burst, which went on');
});
