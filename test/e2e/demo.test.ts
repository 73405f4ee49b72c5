// The demo as a newcomer meets it: `npm start` with no cluster, the page in Chromium, kubectl on the simulator.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ARTIFACTS, launchBrowser } from '../support/browser.ts';
import { type OutpostProcess, startOutpost, waitFor } from '../support/process.ts';

const exec = promisify(execFile);

describe('demo', () => {
  let dataDir: string;
  let outpost: OutpostProcess;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const consoleErrors: string[] = [];

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'outpost-e2e-'));
    outpost = await startOutpost({ OUTPOST_DATA_DIR: dataDir });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    const code = await outpost?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    assert.equal(code, 0, 'Outpost exits cleanly on SIGTERM');
  });

  test('the demo syncs the sample fleet by itself and kubectl sees what it applied', async () => {
    const status = await waitFor('the startup sync', async () => {
      const res = await fetch(`${outpost.url}/readyz`);
      if (res.status !== 200) return null;
      const { stdout } = await exec(process.execPath, ['bin/outpost.js', 'status', '--json'], {
        env: { ...process.env, OUTPOST_DATA_DIR: dataDir },
      });
      const s = JSON.parse(stdout);
      return s.applied ? s : null;
    });
    assert.equal(status.attempted.result, 'succeeded');
    const { stdout } = await exec('kubectl', [
      '--kubeconfig',
      path.join(dataDir, 'demo-kubeconfig.yaml'),
      'get',
      'deploy',
      '-A',
    ]);
    assert.match(stdout, /shop\s+web\b/);
    assert.match(stdout, /shop\s+label-printer\b/);
  });

  test('the overview shows DEMO and the applied objects; Sync now runs and shows the result without a reload', async () => {
    const page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${outpost.url}/`);
    assert.match((await page.locator('.demo-banner').textContent()) ?? '', /DEMO/);
    await page.locator('#objects td', { hasText: 'label-printer' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview.png'), fullPage: true });

    const runsBefore = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    const lastSync = page.getByTestId('last-sync');
    const before = await lastSync.textContent();
    await page.getByRole('button', { name: 'Sync now' }).click();
    // The panel swaps in place: progress while running, then the fresh result — same document throughout.
    await page.waitForFunction(
      (prev) => {
        const el = document.querySelector('[data-testid="last-sync"]');
        return el && el.textContent !== prev && !document.querySelector('[data-testid="sync-progress"]');
      },
      before,
      { timeout: 15_000 },
    );
    assert.match((await lastSync.textContent()) ?? '', /succeeded/);
    assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), runsBefore);
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview-after-sync.png'), fullPage: true });
    assert.deepEqual(consoleErrors, [], 'no script or CSP errors in the console');
  });

  test('keyboard alone reaches and presses Sync now', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${outpost.url}/`);
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      const label = await page.evaluate(() => document.activeElement?.textContent?.trim());
      if (label === 'Sync now') break;
    }
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Sync now');
  });
});
