// The node panel's Kubernetes API row: latency on the host charts' grid, gaps and red bands where checks got no
// answer, min/max of the answered ones, and the unanswered checks per row of the values table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDb } from '../../server/db/open.ts';
import { ApiProbe } from '../../server/host/api-probe.ts';
import { type ChartRange, chartGrid, type Series } from '../../server/host/sampler.ts';
import type { WebDeps } from '../../server/web/deps.ts';
import { hostPanelModel } from '../../server/web/models/host-panel.ts';
import { silentLog } from '../support/log.ts';

const MIN = 60_000;
const NOW = Date.now();

function deps(api: ApiProbe | undefined, firstHostStep: number): WebDeps {
  const host = {
    now: () => null,
    series: () => ({ cpu: [], mem: [], disk: [], temp: [], rx: [], tx: [] }),
    window: (range: ChartRange) => {
      const g = chartGrid(range, NOW);
      const values = Array.from({ length: g.n }, (_, i) => (i >= firstHostStep ? 0.5 : null));
      const series: Series = { cpu: values, mem: values, disk: values, temp: values, rx: values, tx: values };
      return { range, start: g.start, stepMs: g.stepMs, series };
    },
    version: 1,
    intervalMs: 15_000,
  };
  return { host, ...(api ? { api } : {}) } as unknown as WebDeps;
}

test('an outage is a gap in the latency line with a red band per minute, and counted', () => {
  const db = openDb(':memory:');
  const api = new ApiProbe({ db, log: silentLog, check: async () => {} });
  const g = chartGrid('1h', NOW);
  const at = (i: number) => g.start + i * MIN + 7_000;
  // Minutes 40–49: answered in 10–19 ms, except 44–46 where the API was down.
  for (let i = 40; i < 50; i++) {
    const down = i >= 44 && i <= 46;
    api.record({ at: at(i), latencyMs: down ? null : i - 30, ok: !down });
  }
  const m = hostPanelModel(deps(api, 55), '1h');
  const a = m.api;
  assert.ok(a);
  assert.equal(
    a.latency.from,
    g.start + 40 * MIN,
    'drawn from the first check, before the first host reading',
  );
  assert.equal(m.sparks.cpu.from, a.latency.from, 'every chart of the panel shares one grid');
  assert.equal(a.latency.segments.length, 2, 'before the outage and after it: the outage is a gap');
  assert.equal(a.latency.min, 10);
  assert.equal(a.latency.max, 19);
  assert.equal(a.latency.last, 19);
  assert.deepEqual(
    a.marks.map((x) => [(x.at - g.start) / MIN, x.failed, x.of]),
    [
      [44, 1, 1],
      [45, 1, 1],
      [46, 1, 1],
    ],
  );
  assert.equal(a.failed, 3);
  assert.equal(a.checks, 10);
  assert.equal(
    a.failedPerSlice.reduce((x, y) => x + y, 0),
    3,
    'the table rows together hold every unanswered check',
  );
  assert.equal(a.failedPerSlice.length, m.sparks.cpu.slices.length, 'one count per row of the values table');
  assert.equal(a.last?.ok, true);
  db.close();
});

test('a week of checks: each hour the answered ones’ mean; without the probe there is no API row', () => {
  const db = openDb(':memory:');
  const api = new ApiProbe({ db, log: silentLog, check: async () => {}, flushEvery: 2 });
  const g = chartGrid('7d', NOW);
  const hour = g.start + 100 * 3_600_000;
  api.record({ at: hour + 5 * MIN, latencyMs: 10, ok: true });
  api.record({ at: hour + 6 * MIN, latencyMs: 30, ok: true });
  api.record({ at: hour + 7 * MIN, latencyMs: null, ok: false });
  const a = hostPanelModel(deps(api, 167), '7d').api;
  assert.ok(a);
  assert.equal(a.latency.from, hour);
  assert.equal(a.latency.min, 20, 'one point for the hour: the mean of 10 and 30');
  assert.equal(a.marks.length, 1);
  assert.deepEqual([a.marks[0]?.failed, a.marks[0]?.of], [1, 3]);
  assert.equal(hostPanelModel(deps(undefined, 0), '7d').api, null);
  db.close();
});
