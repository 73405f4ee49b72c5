// The console's sync duration and API health charts over HTTP against the simulator: after real syncs (one of
// them failing) and an API outage, the SVGs' titles and labels carry the durations, latencies and failures.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { finishRun, startRun } from '../../server/db/runs.ts';
import { ApiProbe } from '../../server/host/api-probe.ts';
import { type ChartRange, chartGrid } from '../../server/host/sampler.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { createFormat } from '../../server/web/format.ts';
import { translator } from '../../server/web/i18n/index.ts';
import { fleetApp } from '../support/console.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { hostSample } from '../support/host-sample.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';
import { silentLog } from '../support/log.ts';

const MIN = 60_000;
const fmt = createFormat(translator('en'));
/** The column of the run that took 12.5 s half an hour ago. */
const title12 = (cols: RegExpMatchArray[]) => cols.some((c) => c[3]?.endsWith(': 1 run, longest 12.5 s'));
const html = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

describe('sync duration and API health charts', () => {
  let f: Fleet;
  let sync: SyncService;
  let api: ApiProbe;
  let web: Running;
  /** The runs as recorded: start, duration, failed. */
  let runs: { at: number; ms: number; failed: boolean }[] = [];
  /** The checks as recorded: minute → latency (null: no answer). */
  const checks = new Map<number, number | null>();
  /** The 1 h grid when the checks were made. */
  let grid: { start: number; stepMs: number; n: number };
  const files = { 'ns.yaml': NS, 'cm.yaml': configMap('settings') };

  before(async () => {
    f = await makeFleet(files);
    sync = createSyncService(f.deps);
    api = new ApiProbe({ db: f.db, log: silentLog, check: () => f.cluster.ping() });
    const now = Date.now();
    const app = fleetApp(f, {
      sync,
      access: await testAccess(f.db),
      host: {
        now: () => ({
          sample: hostSample(now, { cpu: 0.2, load1: 0.1 }),
          uptimeS: 60,
          interfaces: [],
        }),
        series: () => ({ cpu: [], mem: [], disk: [], temp: [], rx: [], tx: [] }),
        // No host readings in range: the charts start at the first API check.
        window: (range: ChartRange) => {
          const g = chartGrid(range, Date.now());
          const none = new Array<number | null>(g.n).fill(null);
          return {
            range,
            start: g.start,
            stepMs: g.stepMs,
            series: { cpu: none, mem: none, disk: none, temp: none, rx: none, tx: none },
          };
        },
        version: 1,
        intervalMs: 15_000,
      },
      api,
    });
    web = await listen(app);
    // A run half an hour ago that took 12.5 s, then real ones: two that succeed and one whose YAML does not parse.
    const long = startRun(f.db, 'sync-now', null, new Date(now - 30 * MIN));
    finishRun(f.db, long, { result: 'succeeded', changes: [] }, new Date(now - 30 * MIN + 12_500));
    assert.equal((await sync.trigger('startup')).result, 'succeeded');
    assert.equal((await sync.trigger('sync-now', 'op')).result, 'succeeded');
    f.write({ ...files, 'broken.yaml': 'kind: [unclosed\n' });
    const failed = await sync.trigger('sync-now', 'op');
    assert.equal(failed.result, 'failed');
    runs = sync.runs(10).map((r) => ({
      at: Date.parse(r.startedAt),
      ms: r.durationMs ?? -1,
      failed: r.result === 'failed',
    }));
    assert.equal(runs.length, 4);
    // The API checked once a minute for ten minutes, down (503 on /version) for three of them.
    grid = chartGrid('1h', now);
    const g = grid;
    for (let i = 49; i <= 58; i++) {
      const down = i >= 52 && i <= 54;
      if (down) f.sim.faults.inject({ status: 503, pathIncludes: '/version', times: 1 });
      const s = await api.checkNow(g.start + i * MIN + 7_000);
      assert.equal(s?.ok, !down);
      checks.set(i, s?.latencyMs ?? null);
    }
  });
  after(async () => {
    await web.close();
    await sync.stop();
    await f.close();
  });

  test('the runs page draws a column per minute with its longest run, the failed one red, with the figures', async () => {
    const b = await new Browser(web.url).login('viewer');
    const page = await b.page('/runs?range=1h');
    const chart = page.match(/<svg [^>]*data-testid="run-chart"[\s\S]*?<\/svg>/)?.[0] ?? '';
    assert.ok(chart, 'the runs page has the chart');
    const all = runs.map((r) => r.ms);
    const label = `Sync duration over 1 hour: 4 runs, 1 failed or rolled back; shortest ${fmt.duration(Math.min(...all))}, longest ${fmt.duration(12_500)}`;
    assert.ok(chart.includes(`aria-label="${html(label)}"`), `summary: ${label}\n${chart.slice(0, 400)}`);
    // What each minute should say: its runs, the longest, red when one failed (the real runs may straddle a minute).
    const minutes = new Map<number, { n: number; longest: number; failed: number }>();
    for (const r of runs) {
      const m = Math.floor(r.at / MIN) * MIN;
      const c = minutes.get(m) ?? { n: 0, longest: 0, failed: 0 };
      minutes.set(m, {
        n: c.n + 1,
        longest: Math.max(c.longest, r.ms),
        failed: c.failed + (r.failed ? 1 : 0),
      });
    }
    const cols = [
      ...chart.matchAll(/<g class="run-col( failed)?" data-at="(\d+)">[\s\S]*?<title>([^<]*)<\/title><\/g>/g),
    ];
    assert.deepEqual(
      cols.map((c) => Number(c[2])),
      [...minutes.keys()].sort((a, b) => a - b),
      'a column per minute with a run: half an hour ago, and now',
    );
    for (const [, red, at, title] of cols) {
      const want = minutes.get(Number(at));
      assert.ok(want);
      const runsText = want.n === 1 ? '1 run' : `${want.n} runs`;
      const point = `${fmt.time(Number(at))}: ${runsText}, longest ${fmt.duration(want.longest)}`;
      assert.equal(title, html(want.failed ? `${point}; 1 failed or rolled back` : point));
      assert.equal(red === ' failed', want.failed > 0, 'red exactly where a run failed');
    }
    assert.ok(title12(cols), 'the 12.5 s run has its own column');
    assert.match(page, /data-testid="run-chart-failed">1 failed or rolled back</);
    // The values table says the same, row by row.
    assert.match(page, /<td>\d<\/td><td>[^<]+<\/td><td class="bad">1<\/td>/);
  });

  test('the range switch keeps the runs: a week in hourly steps, as a fragment too', async () => {
    const b = await new Browser(web.url).login('viewer');
    const week = await b.page('/fragments/run-chart?range=7d');
    assert.match(week, /^<section id="run-chart"/);
    assert.match(week, /aria-current="true">7 days</);
    assert.match(week, /Sync duration over 7 days: 4 runs, 1 failed or rolled back/);
    // Older pages of the table carry no chart.
    assert.doesNotMatch(await b.page('/runs?before=2'), /data-testid="run-chart"/);
  });

  test('the node panel shows the API latency with a gap and a red band per minute it did not answer', async () => {
    const b = await new Browser(web.url).login('viewer');
    const page = await b.page('/?range=1h');
    const row = page.match(/<div class="metric" data-testid="api-row">[\s\S]*?<\/div>/)?.[0] ?? '';
    assert.ok(row, 'the node panel has an API row');
    const answered = [...checks.values()].filter((v): v is number => v !== null);
    const last = checks.get(58) ?? null;
    const label = `API response time over 1 hour: last ${fmt.duration(last)}, min ${fmt.duration(Math.min(...answered))}, max ${fmt.duration(Math.max(...answered))}; 3 of 10 checks unanswered`;
    assert.ok(row.includes(`aria-label="${html(label)}"`), `summary: ${label}\n${row.slice(0, 600)}`);
    assert.match(row, new RegExp(`data-testid="api-latency">${fmt.duration(last)}<`));
    const segments = [...row.matchAll(/<polyline points="([^"]+)"/g)];
    assert.equal(segments.length, 2, 'the line stops for the outage and picks up after it');
    const bands = [...row.matchAll(/<rect class="spark-mark" data-at="(\d+)"[^>]*><title>([^<]*)<\/title>/g)];
    const g = grid;
    assert.deepEqual(
      bands.map((m) => (Number(m[1]) - g.start) / MIN),
      [52, 53, 54],
    );
    for (const m of bands) assert.equal(m[2], html(`${fmt.time(Number(m[1]))}: no answer to 1 of 1 checks`));
    assert.match(row, /data-testid="api-failed">3 of 10 checks unanswered</);
    // The hover stretches carry each minute's latency.
    const first = checks.get(49) ?? null;
    assert.ok(
      row.includes(`<title>${html(`${fmt.time(g.start + 49 * MIN)}: ${fmt.duration(first)}`)}</title>`),
    );
  });

  test('the API row speaks Russian and Chinese too', async () => {
    const b = await new Browser(web.url).login('viewer');
    const ru = await b.request('/?range=1h', { headers: { 'accept-language': 'ru' } });
    assert.match(await ru.text(), /без ответа 3 из 10 проверок/);
    const zh = await b.request('/runs', { headers: { 'accept-language': 'zh-CN' } });
    assert.match(await zh.text(), /同步耗时（24 小时）：4 次同步，1 次失败或回滚/);
  });
});
