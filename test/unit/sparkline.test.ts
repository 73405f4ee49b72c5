// Charts as server-rendered SVG geometry: drawn from the first reading, gaps kept, hover stretches with values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chart, columns, firstReading, marks, SLICES, sparkline } from '../../server/web/sparkline.ts';

test('the first reading of any series is where every chart starts; none at all is -1', () => {
  assert.equal(
    firstReading([
      [null, null, 0.2, 0.3],
      [null, 5, null, 6],
    ]),
    1,
  );
  assert.equal(firstReading([[null, null], []]), -1);
});

test('two minutes of readings fill the whole width instead of a tick at the right end', () => {
  const c = chart([0.5, 0.5], { start: 1_000_000, stepMs: 60_000 }, { range: [0, 1] });
  assert.equal(c.width, 1);
  assert.deepEqual(c.segments, ['0,12 1,12']);
  assert.equal(c.from, 1_000_000);
  // Each reading is a hover stretch of its own, together covering the view box.
  assert.deepEqual(
    c.slices.map((s) => [s.x, s.w, s.at, s.value]),
    [
      [0, 0.5, 1_000_000, 0.5],
      [0.5, 0.5, 1_060_000, 0.5],
    ],
  );
});

test('a long series is read in at most SLICES stretches, each the mean of its readings, gaps as no value', () => {
  const values = Array.from({ length: 144 }, (_, i) => (i < 6 ? null : i % 2 ? 0.2 : 0.4));
  const c = chart(values, { start: 0, stepMs: 600_000 });
  assert.equal(c.slices.length, SLICES);
  assert.equal(c.slices[0]?.value, null, 'the first hour had no reading');
  assert.ok(Math.abs((c.slices[1]?.value ?? 0) - 0.3) < 1e-9);
  assert.equal(c.slices[1]?.at, 6 * 600_000);
  assert.equal(c.min, 0.2);
  assert.equal(c.max, 0.4);
  assert.equal(
    (c.slices.at(-1)?.x ?? 0) + (c.slices.at(-1)?.w ?? 0),
    c.width,
    'the last stretch ends at the right edge',
  );
});

test('a gap after the first reading stays a gap, and a lone point still draws', () => {
  assert.equal(sparkline([0.1, null, 0.3, 0.2]).segments.length, 2);
  assert.deepEqual(sparkline([0.5], { range: [0, 1] }).segments, ['0,12 0.8,12']);
  assert.equal(chart([], { start: 0, stepMs: 1 }).from, null);
});

test('a failure is a red band over its own point, naming how many of how many failed; none, no band', () => {
  const grid = { start: 1_000_000, stepMs: 60_000 };
  const m = marks([0, 2, 0, 1], [1, 3, 1, 1], grid);
  assert.deepEqual(
    m.map((x) => [x.x, x.w, x.at, x.failed, x.of]),
    [
      [0.5, 1, 1_060_000, 2, 3],
      [2.5, 0.5, 1_180_000, 1, 1],
    ],
    'each band is one step wide, centred on its point and clipped at the right edge',
  );
  assert.deepEqual(marks([0, 0], [1, 1], grid), []);
});

test('columns stand on zero, one per step with a value; the longest reaches the top, a quick one stays visible', () => {
  const c = columns(
    [null, 400, null, 2_000, 10],
    { start: 0, stepMs: 600_000 },
    {
      count: [0, 2, 0, 1, 3],
      failed: [0, 1, 0, 0, 0],
    },
  );
  assert.equal(c.width, 5, 'step i spans [i, i+1]');
  assert.deepEqual(
    c.columns.map((x) => [x.x, x.at, x.value, x.count, x.failed]),
    [
      [1, 600_000, 400, 2, 1],
      [3, 1_800_000, 2_000, 1, 0],
      [4, 2_400_000, 10, 3, 0],
    ],
  );
  assert.equal(c.columns[1]?.y, 1, 'the longest column reaches the top');
  assert.ok((c.columns[2]?.y ?? 0) <= 21, 'a 10 ms run still draws at least two units tall');
  assert.equal(c.min, 10);
  assert.equal(c.max, 2_000);
  assert.equal(c.last, 10);
  assert.equal(c.from, 0);
  assert.equal(columns([], { start: 5, stepMs: 1 }, { count: [], failed: [] }).from, null);
});
