// The node state told the same way everywhere, through the failure stories the issue found lies in: the overview
// header, the kiosk, `outpost status --json` (its reading of the store) and /metrics agree at every step.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { stateOfReading } from '../../server/cli/status.ts';
import { CHANGE_BATCH_MS } from '../../server/cluster/watch.ts';
import { Registry } from '../../server/metrics.ts';
import { readHealth, recordHealth } from '../../server/sync/health-record.ts';
import { stateMetrics } from '../../server/sync/metrics.ts';
import { nodeState, stateInputs } from '../../server/sync/node-state.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { readStatus } from '../../server/sync/status.ts';
import { fleetApp } from '../support/console.ts';
import { configMap, deployment, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';

const attr = (html: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(html)?.[1];

describe('node state', () => {
  let f: Fleet;
  let sync: SyncService;
  let web: Running;
  let browser: Browser;
  const metrics = new Registry();
  const files = (image: string) => ({
    'ns.yaml': NS,
    'cm.yaml': configMap('settings'),
    'web.yaml': deployment('web', image),
  });

  /** Every screen's word, sync and health answers, after the views have read the cluster. */
  async function screens(lang = 'en') {
    await Promise.all([sync.live.refresh(), sync.cluster.refresh()]);
    recordHealth(f.db, stateInputs(sync));
    browser.cookies.set('outpost_lang', lang);
    const overview = await browser.page('/fragments/state');
    const kiosk = await (
      await fetch(`${web.url}/fragments/kiosk`, { headers: { 'accept-language': lang } })
    ).text();
    const cli = stateOfReading({ status: readStatus(f.db), health: readHealth(f.db), applying: false });
    const scraped = await metrics.metrics();
    const pick = (html: string) => [
      attr(html, 'data-word'),
      attr(html, 'data-sync'),
      attr(html, 'data-health'),
    ];
    const fromMetrics = [
      /outpost_state\{overall="[a-z]+",word="([a-zA-Z]+)"\} 1/.exec(scraped)?.[1],
      /outpost_sync_state\{state="([a-z]+)"\} 1/.exec(scraped)?.[1],
      /outpost_health_state\{state="([a-z]+)"\} 1/.exec(scraped)?.[1],
    ];
    const expected = [cli.word, cli.sync.state, cli.health.state];
    assert.deepEqual(pick(overview), expected, 'overview header vs status --json');
    assert.deepEqual(pick(kiosk), expected, 'kiosk vs status --json');
    assert.deepEqual(fromMetrics, expected, '/metrics vs status --json');
    assert.equal(attr(overview, 'data-state'), cli.overall);
    assert.equal(attr(kiosk, 'data-state'), cli.overall);
    return { overview, kiosk, cli };
  }

  /**
   * The screens once the views have caught up: they follow the cluster through watches whose changes arrive
   * batched (CHANGE_BATCH_MS), so a pod a rollback just removed can still be seen failing for a moment after the
   * run ends. Every reading on the way must agree across screens; the last one is returned, settled or not.
   */
  async function settledScreens(settled: (cli: Awaited<ReturnType<typeof screens>>['cli']) => boolean) {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const s = await screens();
      if (settled(s.cli) || Date.now() > deadline) return s;
      await new Promise((r) => setTimeout(r, CHANGE_BATCH_MS));
    }
  }

  before(async () => {
    f = await makeFleet(files('registry.example.com/web:1'));
    sync = createSyncService(f.deps);
    stateMetrics(metrics, () => nodeState(stateInputs(sync)));
    web = await listen(fleetApp(f, { sync, access: await testAccess(f.db) }));
    sync.start({
      schedule: '0 0 1 1 *',
      nodeName: 'gw',
      liveIntervalMs: 600_000,
      clusterIntervalMs: 600_000,
    });
    browser = await new Browser(web.url).login('operator');
  });
  after(async () => {
    await web.close();
    await sync.stop();
    await f.close();
  });

  test('a healthy node is "All good" on every screen', async () => {
    assert.equal((await sync.trigger('startup')).result, 'succeeded');
    const s = await screens();
    assert.equal(s.cli.word, 'allGood');
    assert.match(s.overview, /<h1>All good<\/h1>/);
    assert.match(s.kiosk, /Nothing needs attention/);
  });

  test('an unpullable image is rolled back and held: amber "Update held back", never "Working on it"', async () => {
    f.write(files('registry.example.com/web:broken-2'));
    assert.equal((await sync.trigger('schedule')).result, 'rolled-back');
    const s = await settledScreens((cli) => cli.health.state !== 'degraded');
    assert.deepEqual([s.cli.overall, s.cli.word, s.cli.sync.state], ['warn', 'updateHeld', 'held']);
    for (const html of [s.overview, s.kiosk]) {
      assert.doesNotMatch(html, /Working on it/);
      assert.match(html, /Update held back/);
      assert.match(html, /data-cause="held"/);
      assert.match(html, /It stays held until you press Retry or a newer version is published/);
    }
    assert.doesNotMatch(s.kiosk, /No failing workloads/);
  });

  test('Sync now while a revision is held keeps it held: never green "All good" or "Last sync succeeded"', async () => {
    assert.equal((await sync.trigger('sync-now', 'operator')).result, 'succeeded');
    const s = await screens();
    assert.equal(s.cli.word, 'updateHeld');
    assert.doesNotMatch(s.overview, /All good/);
    const panel = await browser.page('/fragments/sync');
    assert.match(panel, /data-testid="kept-held">kept [0-9a-f]{12} running; [0-9a-f]{12} stays held/);
    assert.doesNotMatch(panel, /result-succeeded/);
  });

  test('broken YAML is a refused update naming the file and line, on the kiosk too', async () => {
    f.write({
      ...files('registry.example.com/web:1'),
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\ndata: [\n',
    });
    assert.equal((await sync.trigger('schedule')).result, 'failed');
    const s = await screens();
    assert.deepEqual([s.cli.overall, s.cli.word, s.cli.sync.state], ['bad', 'updateRefused', 'refused']);
    for (const html of [s.overview, s.kiosk])
      assert.match(html, /The file cm\.yaml does not parse at line 4; the new version was not applied/);
    assert.match(
      s.overview,
      /<summary>Details for support<\/summary><code class="detail">RenderFailed: cm\.yaml/,
    );
    assert.doesNotMatch(s.kiosk, /No failing workloads|<summary>/);
    const zh = await screens('zh-CN');
    assert.match(zh.kiosk, /文件 cm\.yaml 第 4 行无法解析/);
    const ru = await screens('ru');
    assert.match(ru.overview, /Обновление отклонено/);
  });

  test('a fixed revision is applied and every screen is green again', async () => {
    f.write(files('registry.example.com/web:1'));
    assert.equal((await sync.trigger('schedule')).result, 'succeeded');
    assert.equal((await settledScreens((cli) => cli.word === 'allGood')).cli.word, 'allGood');
  });

  test('upstream down: "Running offline" with since when, the running version stays', async () => {
    rmSync(f.sourceDir, { recursive: true, force: true });
    await sync.trigger('schedule');
    const s = await screens();
    assert.deepEqual([s.cli.word, s.cli.sync.state], ['offline', 'unreachable']);
    assert.match(s.kiosk, /The upstream has not answered since/);
  });
});
