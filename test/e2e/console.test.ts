// The console in Chromium against the real process: first sign-in, overview, Sync now with its stages, roll back
// from the revisions page, restart a workload, Chinese, and the kiosk refreshing itself. Screenshots of every
// page at 1024×600 (the gateway panel) and at phone size land in test/artifacts/.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { openDb } from '../../server/db/open.ts';
import { type HostSample, insertSamples } from '../../server/db/samples.ts';
import { ARTIFACTS, launchBrowser } from '../support/browser.ts';
import { type OutpostProcess, ROOT, startOutpost, waitFor } from '../support/process.ts';

const CODE = 'E2E1-CONS-OLE0-TEST';
const PHONE = { width: 390, height: 844 };
const PANEL = { width: 1024, height: 600 };

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

  const shoot = async (name: string, p: Page = page) => {
    await p.setViewportSize(PANEL);
    await p.screenshot({ path: path.join(ARTIFACTS, `console-${name}.png`) });
    await p.setViewportSize(PHONE);
    await p.screenshot({ path: path.join(ARTIFACTS, `console-${name}-phone.png`), fullPage: true });
    await p.setViewportSize(PANEL);
  };
  const text = async (testId: string) => ((await page.getByTestId(testId).textContent()) ?? '').trim();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'outpost-e2e-console-'));
    fleet = path.join(dir, 'fleet');
    cpSync(path.join(ROOT, 'demo', 'fleet'), fleet, { recursive: true });
    const dataDir = path.join(dir, 'data');
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
    await shoot('overview');
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
    await waitFor(
      'the sync to finish',
      async () => {
        const current = await page
          .locator('[data-stage][aria-current="step"]')
          .getAttribute('data-stage', { timeout: 50 })
          .catch(() => null);
        if (current) seen.add(current);
        return (await page.getByTestId('sync-progress').count()) === 0;
      },
      20_000,
      50,
    );
    assert.notEqual(await revision(), before, 'the new revision runs');
    assert.ok(seen.size >= 2, `stages seen as they happened: ${[...seen].join(', ')}`);
    assert.ok(seen.has('health'), `the health wait was shown: ${[...seen].join(', ')}`);
    assert.match(await text('last-sync'), /succeeded/);
    assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), navigations);
  });

  test('roll back from the revisions page: confirm, then the overview shows the old revision running', async () => {
    await page.goto(`${outpost.url}/revisions`);
    const rows = page.locator('tr[data-revision]');
    assert.equal(await rows.count(), 2);
    const older = (await rows.nth(1).getAttribute('data-revision')) as string;
    const olderShort = ((await rows.nth(1).locator('code').textContent()) ?? '').trim();
    assert.match(olderShort, /^[0-9a-f]{12}$/);
    await shoot('revisions');
    await page.getByRole('link', { name: 'Changes vs running' }).click();
    await page.locator('.diff-object').first().waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /containers\[web\]\.image/);
    await shoot('revision-diff');
    await page.goto(`${outpost.url}/revisions`);
    await page.getByTestId(`rollback-${older}`).click();
    await page.getByTestId('confirm-rollback').waitFor();
    await shoot('rollback-confirm');
    await page.getByTestId('confirm-rollback').click();
    await page.waitForURL(`${outpost.url}/`);
    await waitFor(
      'the rollback',
      async () =>
        (await page.getByTestId('applied-revision').locator('code').first().textContent()) === olderShort,
      20_000,
      100,
    );
    await page.goto(`${outpost.url}/runs`);
    assert.match((await page.locator('tr[data-run]').first().textContent()) ?? '', /rollback[\s\S]*by /);
    await shoot('runs');
    await page.locator('tr[data-run] a').first().click();
    await page.getByTestId('run-trigger').waitFor();
    await shoot('run');
  });

  test('restart a workload: confirm, and its page shows when it was restarted', async () => {
    await page.goto(`${outpost.url}/workloads`);
    await page.locator('tr[data-workload="shop/web"]').waitFor();
    await shoot('workloads');
    await page.getByTestId('restart-web').click();
    await shoot('restart-confirm');
    await page.getByTestId('confirm-restart').click();
    await page.waitForURL(/\/workloads\/Deployment\/shop\/web$/);
    await waitFor('the restart to show', async () => {
      await page.reload();
      return !(await text('restarted-at')).startsWith('never');
    });
    await shoot('workload');
    await page.locator('[data-testid="pods"] a').first().click();
    await page.getByTestId('log').waitFor();
    await shoot('logs');
  });

  test('switching to Chinese turns the whole console Chinese, and it stays so', async () => {
    await page.goto(`${outpost.url}/`);
    await page.getByRole('link', { name: '中文' }).click();
    await page.waitForURL(`${outpost.url}/`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    assert.match((await page.locator('nav.main-nav').textContent()) ?? '', /概览[\s\S]*版本[\s\S]*同步记录/);
    assert.ok(
      ['一切正常', '正在处理', '需要处理'].includes(
        ((await page.locator('#state h1').textContent()) ?? '').trim(),
      ),
    );
    await shoot('overview-zh');
    await page.goto(`${outpost.url}/settings`);
    assert.match((await page.locator('h1').first().textContent()) ?? '', /设置/);
    await shoot('settings-zh');
    await page.getByRole('link', { name: 'English' }).click();
    await page.goto(`${outpost.url}/settings`);
    await shoot('settings');
    await page.goto(`${outpost.url}/support`);
    await shoot('support');
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
    await shoot('kiosk', kiosk);
    await kiosk.close();
    assert.deepEqual(problems, [], 'no script or CSP errors in the console');
  });
});
