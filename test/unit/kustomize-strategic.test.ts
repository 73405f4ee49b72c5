// Strategic merge: examples of kustomize's rules and seeded property tests (identity, idempotence, list order).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { strategicMerge } from '../../server/render/kustomize/patches/strategic.ts';
import { rng } from '../support/random.ts';

type Obj = Record<string, unknown>;
const pick = <T>(next: () => number, xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
const clone = <T>(x: T): T => structuredClone(x);
const merge = (target: Obj, patch: Obj) => strategicMerge(clone(target), clone(patch));

const NAMES = ['web', 'sidecar', 'init', 'log', 'proxy', 'db'];
const ENV = ['MODE', 'PORT', 'SITE', 'ZONE', 'DEBUG'];

function randomScalar(next: () => number): unknown {
  return pick(next, ['a', 'b', 'on', '1', 42, true, 0.5, 'x y']);
}

/** Keys have one type each (as in real objects: a field is a map or a scalar, never both). */
function randomMap(next: () => number, depth: number): Obj {
  const out: Obj = {};
  for (const key of some(next, ['alpha', 'beta', 'gamma', 'delta'], 4)) {
    out[key] =
      depth > 0 && (key === 'gamma' || key === 'delta') ? randomMap(next, depth - 1) : randomScalar(next);
  }
  return out;
}

/** Distinct items of `pool`, in random order. */
function some<T>(next: () => number, pool: readonly T[], max: number): T[] {
  const out: T[] = [];
  for (const x of pool) if (out.length < max && next() < 0.5) out.push(x);
  return out.sort(() => next() - 0.5);
}

function container(next: () => number, name: string): Obj {
  const c: Obj = { name, image: `${name}:${Math.floor(next() * 9)}` };
  if (next() < 0.6) c.env = some(next, ENV, 3).map((e) => ({ name: e, value: String(randomScalar(next)) }));
  if (next() < 0.4) c.ports = some(next, [80, 443, 8080, 9090], 2).map((p) => ({ containerPort: p }));
  if (next() < 0.3) c.resources = { limits: randomMap(next, 0) };
  return c;
}

function deployment(next: () => number, names: string[]): Obj {
  const spec: Obj = { containers: names.map((n) => container(next, n)) };
  if (next() < 0.5)
    spec.volumes = some(next, ['data', 'config', 'tmp'], 2).map((v) => ({ name: v, emptyDir: {} }));
  if (next() < 0.5) spec.extra = randomMap(next, 2);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: randomMap(next, 0) },
    spec: { replicas: Math.floor(next() * 5), template: { spec } },
  };
}

const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1);
const containersOf = (d: Obj | null) =>
  (((d as Obj).spec as Obj).template as { spec: { containers: Obj[] } }).spec.containers;

describe('strategic merge (properties)', () => {
  test('merging an empty patch is the identity', () => {
    for (const seed of SEEDS) {
      const next = rng(seed);
      const d = deployment(next, some(next, NAMES, 4));
      assert.deepEqual(merge(d, {}), d, `seed ${seed}`);
      assert.deepEqual(merge(d, { apiVersion: 'apps/v1', kind: 'Deployment' }), d, `seed ${seed}`);
    }
  });

  test('applying the same patch twice changes nothing more', () => {
    for (const seed of SEEDS) {
      const next = rng(seed);
      const d = deployment(next, some(next, NAMES, 4));
      const p = deployment(next, some(next, NAMES, 3));
      const once = merge(d, p) as Obj;
      assert.deepEqual(merge(once, p), once, `seed ${seed}`);
    }
  });

  test('lists merge by key: the patch items first, in patch order, then the untouched ones in order', () => {
    for (const seed of SEEDS) {
      const next = rng(seed);
      const targetNames = some(next, NAMES, 5);
      const patchNames = some(next, NAMES, 3);
      const out = merge(deployment(next, targetNames), deployment(next, patchNames));
      const expected = [...patchNames, ...targetNames.filter((n) => !patchNames.includes(n))];
      assert.deepEqual(
        containersOf(out).map((c) => c.name),
        expected,
        `seed ${seed}`,
      );
    }
  });

  test('a merged item keeps the fields the patch does not mention, and takes the ones it does', () => {
    for (const seed of SEEDS) {
      const next = rng(seed);
      const name = pick(next, NAMES);
      const target = deployment(next, [name]);
      const patch = { spec: { template: { spec: { containers: [{ name, image: 'patched:1' }] } } } };
      const [c] = containersOf(merge(target, patch));
      const [before] = containersOf(target);
      assert.deepEqual(c, { ...before, image: 'patched:1' }, `seed ${seed}`);
    }
  });

  test('lists of custom resources are replaced, not merged', () => {
    for (const seed of SEEDS) {
      const next = rng(seed);
      const items = some(next, NAMES, 4).map((n) => ({ name: n, v: 1 }));
      const patchItems = some(next, NAMES, 2).map((n) => ({ name: n, v: 2 }));
      const cr = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { items } };
      const out = merge(cr, { spec: { items: patchItems } }) as { spec: { items: unknown } };
      assert.deepEqual(out.spec.items, patchItems, `seed ${seed}`);
    }
  });
});

describe('strategic merge (directives)', () => {
  const target = (): Obj => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a', 'b'] },
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'w', env: [{ name: 'A', value: '1' }] },
            { name: 'log', image: 'l' },
          ],
        },
      },
    },
  });

  test('null in the patch deletes the field', () => {
    const out = merge(target(), { metadata: { labels: { tier: null } } }) as { metadata: Obj };
    assert.deepEqual(out.metadata.labels, { app: 'web' });
  });

  test('$patch: delete removes a list item by key', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'log', $patch: 'delete' }] } } } };
    assert.deepEqual(
      containersOf(merge(target(), patch)).map((c) => c.name),
      ['web'],
    );
  });

  test('$patch: replace replaces a map instead of merging it', () => {
    const out = merge(target(), { metadata: { labels: { $patch: 'replace', only: 'this' } } }) as {
      metadata: Obj;
    };
    assert.deepEqual(out.metadata.labels, { only: 'this' });
  });

  test('$patch: delete on the whole object deletes it', () => {
    assert.equal(merge(target(), { $patch: 'delete' }), null);
  });

  test('scalar lists with a merge strategy become a union, the patch values first', () => {
    const out = merge(target(), { metadata: { finalizers: ['c', 'a'] } }) as { metadata: Obj };
    assert.deepEqual(out.metadata.finalizers, ['c', 'a', 'b']);
  });

  test('an unknown $patch directive is an error', () => {
    assert.throws(
      () => merge(target(), { metadata: { labels: { $patch: 'explode' } } }),
      /unknown patch strategy/,
    );
  });

  test('a map cannot be merged into a list', () => {
    const patch = { spec: { template: { spec: { containers: { name: 'x' } } } } };
    assert.throws(() => merge(target(), patch), /cannot merge a map into a list/);
  });
});
