// The console in Chromium against the real process: first sign-in, overview, Sync now with its stages, roll back
// from the revisions page, restart a workload, Chinese, and the kiosk refreshing itself; then every page at three
// sizes in three languages, with screenshots in test/artifacts/screenshots/.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { parse } from 'yaml';
import { openDb } from '../../server/db/open.ts';
import { type HostSample, insertSamples } from '../../server/db/samples.ts';
import { zhCN } from '../../server/web/i18n/zh-CN.ts';
import { ARTIFACTS, launchBrowser } from '../support/browser.ts';
import { type OutpostProcess, ROOT, startOutpost, waitFor } from '../support/process.ts';

const CODE = 'E2E1-CONS-OLE0-TEST';
const PHONE = { width: 390, height: 844 };
const PANEL = { width: 1024, height: 600 };
const DESKTOP = { width: 1920, height: 1080 };
/** The sizes every page must work at: a phone, the gateway's panel, a desktop. */
const SIZES = [PHONE, PANEL, DESKTOP];
const SHOTS = path.join(ARTIFACTS, 'screenshots');

/** 24 h of made-up host readings, so the sparklines have something to draw in the screenshots. */
function seedSamples(dataDir: string): void {
  const db = openDb(dataDir);
  const now = Date.now();
  const rows: HostSample[] = [];
  for (let t = now - 86_400_000; t < now - 120_000; t += 120_000) {
    const h = (t / 3_600_000) % 24;
    rows.push({
      at: t,
      cpu: 0.2 + 0.12 * Math.sin(h / 3),
      memUsed: 3.1e9 + 4e8 * Math.sin(h / 5),
      memTotal: 8e9,
      diskUsed: 31e9,
      diskTotal: 64e9,
      temp: 55 + 5 * Math.sin(h / 4),
      rx: 30_000 + 20_000 * Math.sin(h),
      tx: 8_000 + 5_000 * Math.cos(h),
      load1: 0.6,
    });
  }
  insertSamples(db, rows);
  db.close();
}

describe('console in Chromium', () => {
  let dir: string;
  let fleet: string;
  let outpost: OutpostProcess;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const problems: string[] = [];

  const text = async (testId: string) => ((await page.getByTestId(testId).textContent()) ?? '').trim();

  let dataDir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'outpost-e2e-console-'));
    fleet = path.join(dir, 'fleet');
    cpSync(path.join(ROOT, 'demo', 'fleet'), fleet, { recursive: true });
    dataDir = path.join(dir, 'data');
    seedSamples(dataDir);
    writeFileSync(path.join(dir, 'code'), `${CODE}\n`);
    outpost = await startOutpost({
      OUTPOST_DEMO: '1',
      OUTPOST_DATA_DIR: dataDir,
      OUTPOST_SOURCE_KIND: 'dir',
      OUTPOST_SOURCE_URL: fleet,
      OUTPOST_SOURCE_PATH: 'sites/berlin',
      OUTPOST_ENROLLMENT_CODE_FILE: path.join(dir, 'code'),
      // Long enough to watch the health stage go by, short enough for a quick test.
      OUTPOST_SIM_READY_DELAY: '2s',
      OUTPOST_LOG_LEVEL: 'warn',
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  });
  after(async () => {
    await browser?.close();
    const code = await outpost?.stop();
    rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, 'Outpost exits cleanly on SIGTERM');
  });

  test('first sign-in, then the overview answers "is this box OK and what does it run"', async () => {
    await page.goto(`${outpost.url}/setup`);
    await page.fill('input[name=code]', CODE);
    await page.fill('input[name=username]', 'tech');
    await page.fill('input[name=password]', 'a-long-enough-password');
    await page.fill('input[name=password2]', 'a-long-enough-password');
    await page.click('button[type=submit]');
    await page.waitForURL(`${outpost.url}/`);
    await waitFor('the startup sync', async () => {
      await page.reload();
      return (
        /[0-9a-f]{12}/.test(await text('applied-revision')) && (await text('last-sync')).includes('succeeded')
      );
    });
    await page.locator('#host-panel polyline').first().waitFor();
    assert.match(await text('nodes-ready'), /1 of 1 ready/);
    // The charts switch range in place; each stretch names its value, and the chart itself takes focus.
    await page.evaluate(() => document.documentElement.setAttribute('data-same-page', '1'));
    await page.getByTestId('chart-ranges').getByRole('link', { name: '1 hour' }).click();
    await page.locator('[data-range="1h"][aria-current="true"]').waitFor();
    assert.equal(await page.locator('html[data-same-page]').count(), 1, 'without a page load');
    assert.match(
      (await page.locator('#host-panel svg.spark-cpu rect title').last().textContent()) ?? '',
      /: \d+%$/,
    );
    assert.match(
      (await page.locator('#host-panel svg.spark-cpu').getAttribute('aria-label')) ?? '',
      /^CPU over 1 hour: now \d+%, min \d+%, max \d+%$/,
    );
  });

  test('keyboard alone: the skip link leads to the console, and Tab reaches Sync now', async () => {
    await page.goto(`${outpost.url}/`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Skip to content');
    await page.keyboard.press('Enter');
    let label = '';
    for (let i = 0; i < 6 && label !== 'Sync now'; i++) {
      await page.keyboard.press('Tab');
      label = (await page.evaluate(() => document.activeElement?.textContent?.trim())) ?? '';
    }
    assert.equal(label, 'Sync now');
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    assert.notEqual(outline, 'none', 'the focused control is visibly marked');
  });

  test('Sync now shows each stage as it happens and the result, without a reload', async () => {
    // A new image: the sync has to apply it and wait for the workloads (2 s in the simulator).
    const web = path.join(fleet, 'base', 'web.yaml');
    writeFileSync(web, readFileSync(web, 'utf8').replace('shop/web:1.4.2', 'shop/web:1.5.0'));
    const revision = () => page.getByTestId('applied-revision').locator('code').first().textContent();
    const before = await revision();
    const navigations = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByTestId('sync-progress').waitFor({ timeout: 5_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-sync-progress.png') });
    const seen = new Set<string>();
    // On a busy machine the quick stages can pass between two looks: the ones done before health are counted.
    let doneBeforeHealth = 0;
    await waitFor(
      'the sync to finish',
      async () => {
        const current = await page
          .locator('[data-stage][aria-current="step"]')
          .getAttribute('data-stage', { timeout: 50 })
          .catch(() => null);
        if (current) seen.add(current);
        if (current === 'health')
          doneBeforeHealth = Math.max(
            doneBeforeHealth,
            await page.locator('li.stage-done[data-stage]').count(),
          );
        return (await page.getByTestId('sync-progress').count()) === 0;
      },
      20_000,
      50,
    );
    assert.notEqual(await revision(), before, 'the new revision runs');
    assert.ok(
      seen.size >= 2 || doneBeforeHealth >= 3,
      `stages shown as they happened: ${[...seen].join(', ')}; ${doneBeforeHealth} done before health`,
    );
    assert.ok(seen.has('health'), `the health wait was shown: ${[...seen].join(', ')}`);
    assert.match(await text('last-sync'), /succeeded/);
    assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), navigations);
  });

  test('roll back from the revisions page: confirm, its run page follows the stages, then the old revision runs', async () => {
    await page.goto(`${outpost.url}/revisions`);
    const rows = page.locator('tr[data-revision]');
    assert.equal(await rows.count(), 2);
    const older = (await rows.nth(1).getAttribute('data-revision')) as string;
    const olderShort = ((await rows.nth(1).locator('code').textContent()) ?? '').trim();
    assert.match(olderShort, /^[0-9a-f]{12}$/);
    await page.getByRole('link', { name: 'Changes vs running' }).click();
    await page.locator('.diff-object').first().waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /containers\[web\]\.image/);
    await page.goto(`${outpost.url}/revisions`);
    await page.getByTestId(`rollback-${older}`).click();
    await page.getByTestId('confirm-rollback').waitFor();
    await page.getByTestId('confirm-rollback').click();
    // It lands on its own run, which shows its stages as they happen and its result, without a reload.
    await page.waitForURL(/\/runs\/\d+$/);
    await waitFor(
      'the rollback run to end',
      async () => !['running', null].includes(await page.locator('#run').getAttribute('data-result')),
      20_000,
      100,
    );
    assert.equal(await page.locator('#run').getAttribute('data-result'), 'succeeded');
    await page.goto(`${outpost.url}/`);
    await waitFor(
      'the rollback',
      async () =>
        (await page.getByTestId('applied-revision').locator('code').first().textContent()) === olderShort,
      20_000,
      100,
    );
    await page.goto(`${outpost.url}/runs`);
    assert.match((await page.locator('tr[data-run]').first().textContent()) ?? '', /rollback[\s\S]*by /);
    await page.locator('tr[data-run] a').first().click();
    await page.getByTestId('run-trigger').waitFor();
  });

  test('restart a workload: confirm, and its page shows the restart and follows the rollout to the end', async () => {
    await page.goto(`${outpost.url}/workloads`);
    await page.locator('tr[data-workload="shop/web"]').waitFor();
    await page.getByTestId('restart-web').click();
    await page.getByTestId('confirm-restart').click();
    await page.waitForURL(/\/workloads\/Deployment\/shop\/web$/);
    assert.ok(!(await text('restarted-at')).startsWith('never'), 'the restart shows at once');
    // The rollout is followed on the page, without a reload, until the new pods are ready.
    await page.getByTestId('rollout').waitFor();
    await waitFor(
      'the new pods to be ready',
      async () => (await page.getByTestId('rollout').getAttribute('data-done')) === 'true',
      20_000,
      200,
    );
    await page.locator('[data-testid="pods"] a').first().click();
    await page.getByTestId('log').waitFor();
  });

  test('switching to Chinese turns the whole console Chinese, and it stays so', async () => {
    await page.goto(`${outpost.url}/`);
    await page.getByRole('link', { name: '中文' }).click();
    await page.waitForURL(`${outpost.url}/`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    assert.match((await page.locator('nav.main-nav').textContent()) ?? '', /概览[\s\S]*版本[\s\S]*同步记录/);
    // The header's word is one of the state model's, in Chinese (whichever the node is in after the restart).
    const word = ((await page.locator('#state h1').textContent()) ?? '').trim();
    const words = Object.entries(zhCN).filter(([k]) => k.startsWith('word.'));
    assert.ok(
      words.some(([, v]) => v === word),
      `"${word}" is a Chinese state word`,
    );
    await page.goto(`${outpost.url}/settings`);
    assert.match((await page.locator('h1').first().textContent()) ?? '', /设置/);
    await page.getByRole('link', { name: 'English' }).click();
    await page.goto(`${outpost.url}/settings`);
    await page.goto(`${outpost.url}/support`);
  });

  test('every page fits 390×844, 1024×600 and 1920×1080 in every language, with a screenshot of each', async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Addresses that need an id: read them off the pages, as a technician would follow the links.
    await page.goto(`${outpost.url}/revisions`);
    const revision = (await page
      .locator('tr[data-revision]:not(.running)')
      .first()
      .getAttribute('data-revision')) as string;
    const diff = (await page
      .getByRole('link', { name: 'Changes vs running' })
      .first()
      .getAttribute('href')) as string;
    await page.goto(`${outpost.url}/runs`);
    const run = (await page.locator('tr[data-run] a').first().getAttribute('href')) as string;
    await page.goto(`${outpost.url}/workloads/Deployment/shop/web`);
    const logs = (await page.locator('[data-testid="pods"] a').first().getAttribute('href')) as string;
    const pages: Record<string, string> = {
      overview: '/',
      revisions: '/revisions',
      revision: `/revisions/${revision}`,
      'revision-diff': diff,
      'rollback-confirm': `/revisions/${revision}/rollback`,
      runs: '/runs',
      run,
      workloads: '/workloads',
      workload: '/workloads/Deployment/shop/web',
      'restart-confirm': '/workloads/Deployment/shop/web/restart',
      logs,
      plan: '/plan',
      settings: '/settings',
      support: '/support',
      users: '/users',
      audit: '/audit',
      objects: '/objects',
      kiosk: '/kiosk',
      'not-found': '/no-such-page',
    };
    const overflowing: string[] = [];
    const seen = problems.length;
    /** One language on its own tab (Accept-Language, no cookie), so the three run side by side. */
    const walk = async (lang: string) => {
      const tab = await browser.context.newPage();
      tab.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      await tab.setExtraHTTPHeaders({ 'Accept-Language': lang });
      for (const [name, address] of Object.entries(pages)) {
        await tab.setViewportSize(PANEL);
        await tab.goto(`${outpost.url}${address.replace(/^https?:\/\/[^/]+/, '')}`);
        if (name === 'plan') await tab.locator('#plan table, #plan .bad').first().waitFor();
        for (const size of SIZES) {
          await tab.setViewportSize(size);
          const where = `${name} ${lang} ${size.width}×${size.height}`;
          const wide = await tab.evaluate(() => {
            const d = document.documentElement;
            return d.scrollWidth > d.clientWidth ? `${d.scrollWidth} > ${d.clientWidth}` : null;
          });
          if (wide) overflowing.push(`${where}: page ${wide}`);
          // Words are never broken: a word too long for its box shows as overflow of that box, not a split.
          const split = await tab.evaluate(() =>
            [
              ...document.querySelectorAll<HTMLElement>(
                '.tile-value, .tile-label, .board-word, .main-nav a, th',
              ),
            ]
              .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible')
              .map((e) => (e.textContent ?? '').trim().slice(0, 40)),
          );
          if (split.length) overflowing.push(`${where}: words wider than their box: ${split.join(' | ')}`);
          // Every page at every size in English (the whole page on a phone); the others at the panel's size.
          if (lang === 'en' || size === PANEL)
            await tab.screenshot({
              // JPEG: several times quicker to encode than PNG, and enough to judge a layout by.
              path: path.join(SHOTS, `${name}-${lang}-${size.width}x${size.height}.jpg`),
              type: 'jpeg',
              quality: 80,
              fullPage: lang === 'en' && size === PHONE,
            });
        }
      }
      await tab.close();
    };
    // The language cookie set earlier would win over Accept-Language.
    await browser.context.clearCookies({ name: 'outpost_lang' });
    await Promise.all(['en', 'zh-CN', 'ru'].map(walk));
    // The one page that answers 404 on purpose logs its status in the browser's console; nothing else may.
    const expected = problems.splice(seen).filter((p) => !/status of 404/.test(p));
    problems.push(...expected);
    assert.deepEqual(overflowing, [], 'no page is wider than the screen');
  });

  test('the kiosk is a read-only board that refreshes itself', async () => {
    const kiosk = await browser.context.newPage();
    await kiosk.goto(`${outpost.url}/kiosk?every=2`);
    const board = kiosk.getByTestId('board');
    const first = await board.getAttribute('data-generated');
    assert.equal(await kiosk.locator('form, button, input, select, textarea, a').count(), 0);
    await waitFor(
      'the board to refresh',
      async () => (await board.getAttribute('data-generated')) !== first,
      8_000,
      100,
    );
    assert.ok(['ok', 'warn', 'bad'].includes((await board.getAttribute('data-state')) ?? ''));
    await kiosk.close();
    assert.deepEqual(problems, [], 'no script or CSP errors in the console');
  });

  test('a change in the cluster reaches an open kiosk over server-sent events, without its poll', async () => {
    const kiosk = await browser.context.newPage();
    kiosk.on('pageerror', (e) => problems.push(e.message));
    // Polling every 300 s: within this test only the change notice can refresh the board.
    const streaming = kiosk.waitForResponse((r) => new URL(r.url()).pathname === '/events');
    await kiosk.goto(`${outpost.url}/kiosk?every=300`);
    const board = kiosk.getByTestId('board');
    // htmx opens the stream once the page has loaded; the server watches for changes from its first byte on.
    assert.equal((await streaming).status(), 200);
    const first = await board.getAttribute('data-generated');
    // The demo's simulator, reached with the kubeconfig Outpost wrote for it.
    const kc = parse(readFileSync(path.join(dataDir, 'demo-kubeconfig.yaml'), 'utf8'));
    const server = kc.clusters[0].cluster.server as string;
    const node = await fetch(`${server}/api/v1/nodes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'e2e-extra-node' } }),
    });
    assert.equal(node.status, 201);
    await waitFor(
      'the board to refresh on the change notice',
      async () => (await board.getAttribute('data-generated')) !== first,
      8_000,
      100,
    );
    await kiosk.close();
    assert.deepEqual(problems, [], 'no script or CSP errors in the console');
  });
});
