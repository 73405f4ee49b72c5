// When kubesim's controllers act on writes: spaced out while a burst of writes lasts (a pass never hogs the loop),
// and within a few milliseconds of the burst's end, as real controllers would, not a pass's spacing later.
import assert from 'node:assert/strict';
import { test } from 'node:test';
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

test('a burst of writes waits for its pass until the writes stop, then gets it at once', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const engine = new Engine();
  const controllers = new Controllers(engine, { readyDelayMs: 0, failImages: [] });
  try {
    seed(engine, controllers.context);
    t.mock.timers.tick(1_000);
    // As after a costly pass: the next one under a burst comes 200 ms after the burst's first write.
    (controllers as unknown as { lastPassMs: number }).lastPassMs = 100;
    const rt = engine.rtOf('apps/v1', 'Deployment');
    const replicaSets = () => engine.store.list(engine.key(engine.rtOf('apps/v1', 'ReplicaSet')), 'default');
    for (let i = 0; i < 50; i++) {
      create(engine, rt, 'default', deployment(`d${i}`), { manager: 'test' });
      t.mock.timers.tick(1);
    }
    assert.equal(replicaSets().length, 0, 'no pass while the writes keep coming');
    t.mock.timers.tick(3);
    assert.equal(replicaSets().length, 50, 'one pass as soon as they stop');
  } finally {
    controllers.close();
  }
});

test('writes that never pause still get a pass, spaced by the cost of the last one', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const engine = new Engine();
  const controllers = new Controllers(engine, { readyDelayMs: 0, failImages: [] });
  try {
    seed(engine, controllers.context);
    t.mock.timers.tick(1_000);
    (controllers as unknown as { lastPassMs: number }).lastPassMs = 25;
    const rt = engine.rtOf('apps/v1', 'Deployment');
    const replicaSets = () => engine.store.list(engine.key(engine.rtOf('apps/v1', 'ReplicaSet')), 'default');
    for (let i = 0; i < 60; i++) {
      create(engine, rt, 'default', deployment(`d${i}`), { manager: 'test' });
      t.mock.timers.tick(1);
    }
    assert.ok(replicaSets().length >= 50, 'a pass ran 50 ms into the burst, which went on');
  } finally {
    controllers.close();
  }
});
