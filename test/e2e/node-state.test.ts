// Issue 15's "done when": Chromium walks the failure stories against the real process — unpullable image, retry,
// rollback, restart, broken YAML, upstream down — and at every step the overview header, the kiosk and
// `outpost status --json` give the same word, sync and health answers, in English, Chinese and Russian.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { CATALOGUES, LOCALES } from '../../server/web/i18n/index.ts';
import { ARTIFACTS, launchBrowser } from '../support/browser.ts';
import { type OutpostProcess, ROOT, startOutpost, waitFor } from '../support/process.ts';

const exec = promisify(execFile);
const CODE = 'E2E2-STAT-E000-TEST';
const STEP_MS = 90_000;

interface Seen {
  word: string | undefined;
  sync: string | undefined;
  health: string | undefined;
}

describe('the node state agrees everywhere (Chromium)', () => {
  let dir: string;
  let fleet: string;
  let env: Record<string, string>;
  let outpost: OutpostProcess;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const printer = () => path.join(fleet, 'sites', 'berlin', 'label-printer.yaml');

  const statusJson = () =>
    exec(process.execPath, [path.join(ROOT, 'bin', 'outpost.js'), 'status', '--json'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });

  async function cliState(): Promise<Seen & { causes: { code: string; vars: Record<string, string> }[] }> {
    const s = JSON.parse((await statusJson()).stdout).state;
    return { word: s.word, sync: s.sync.state, health: s.health.state, causes: s.causes };
  }

  async function screen(url: string, selector: string): Promise<Seen & { title: string; text: string }> {
    await page.goto(url);
    const el = page.locator(selector);
    return {
      word: (await el.getAttribute('data-word')) ?? undefined,
      sync: (await el.getAttribute('data-sync')) ?? undefined,
      health: (await el.getAttribute('data-health')) ?? undefined,
      title: ((await el.locator('h1').first().textContent()) ?? '').trim(),
      text: (await el.textContent()) ?? '',
    };
  }

  /**
   * Waits until the header, the kiosk and `status --json` all say `word` and agree on sync and health, in each
   * language. Two processes read the state (the command line reads the health the server records every 2 s), so
   * they must come to the same answer within a step's time.
   */
  async function agree(step: string, word: string) {
    const texts: string[] = [];
    let cli: Awaited<ReturnType<typeof cliState>> | null = null;
    for (const lang of LOCALES) {
      await page.goto(`${outpost.url}/lang/${lang}?back=/`);
      const seen = await waitFor(
        `${step}: header, kiosk and status --json agree on ${word} in ${lang}`,
        async () => {
          const c = await cliState();
          const header = await screen(`${outpost.url}/`, '#state');
          const kiosk = await screen(`${outpost.url}/kiosk`, '#board');
          const same = [header, kiosk].every(
            (x) => x.word === c.word && x.sync === c.sync && x.health === c.health,
          );
          return same && c.word === word ? { c, header, kiosk } : null;
        },
        STEP_MS,
        500,
      );
      cli = seen.c;
      const title = CATALOGUES[lang][`word.${word}`];
      assert.equal(seen.header.title, title, `${step}: the header's word in ${lang}`);
      assert.equal(seen.kiosk.title, title, `${step}: the kiosk's word in ${lang}`);
      texts.push(seen.header.text, seen.kiosk.text);
      await page.screenshot({ path: path.join(ARTIFACTS, `state-${step}-${lang}.png`) });
    }
    await page.goto(`${outpost.url}/lang/en?back=/`);
    return { cli: cli as Awaited<ReturnType<typeof cliState>>, texts };
  }

  /** Sync now from the overview, as staff press it. */
  async function syncNow() {
    await page.goto(`${outpost.url}/lang/en?back=/`);
    await page.getByRole('button', { name: 'Sync now' }).click({ timeout: STEP_MS });
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'outpost-e2e-state-'));
    fleet = path.join(dir, 'fleet');
    cpSync(path.join(ROOT, 'demo', 'fleet'), fleet, { recursive: true });
    writeFileSync(path.join(dir, 'code'), `${CODE}\n`);
    env = {
      OUTPOST_DEMO: '1',
      OUTPOST_DATA_DIR: path.join(dir, 'data'),
      OUTPOST_SOURCE_KIND: 'dir',
      OUTPOST_SOURCE_URL: fleet,
      OUTPOST_SOURCE_PATH: 'sites/berlin',
      OUTPOST_ENROLLMENT_CODE_FILE: path.join(dir, 'code'),
      OUTPOST_SIM_READY_DELAY: '1s',
      OUTPOST_LOG_LEVEL: 'warn',
    };
    outpost = await startOutpost(env);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    // Retry may still ask with the browser's own dialog: say yes, as the technician would.
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${outpost.url}/setup`);
    await page.fill('input[name=code]', CODE);
    await page.fill('input[name=username]', 'tech');
    await page.fill('input[name=password]', 'a-long-enough-password');
    await page.fill('input[name=password2]', 'a-long-enough-password');
    await page.click('button[type=submit]');
    await page.waitForURL(`${outpost.url}/`);
  });
  after(async () => {
    await browser?.close();
    await outpost?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a healthy start is "All good" everywhere', async () => {
    const { cli } = await agree('healthy', 'allGood');
    assert.deepEqual([cli.sync, cli.health], ['synced', 'healthy']);
  });

  test('an image that cannot be pulled: rolled back and held, the cause names the workload', async () => {
    writeFileSync(
      printer(),
      readFileSync(printer(), 'utf8').replace(/label-printer:[\w.]+/, 'label-printer:broken-9'),
    );
    await syncNow();
    const { cli, texts } = await agree('held', 'updateHeld');
    assert.equal(cli.causes[0]?.code, 'held');
    assert.match(cli.causes[0]?.vars.why ?? '', /Deployment shop\/label-printer/);
    for (const t of texts) assert.doesNotMatch(t, /Working on it|All good/);
  });

  test('Retry applies the held revision once more: it fails again and stays held', async () => {
    await page.goto(`${outpost.url}/`);
    await page.locator('[data-testid="retry"], form[action$="/actions/retry"] button').first().click();
    // A confirmation page, where Retry has one (otherwise the browser's dialog, accepted above).
    const confirm = page.getByTestId('confirm-retry');
    if (
      await confirm.waitFor({ timeout: 5_000 }).then(
        () => true,
        () => false,
      )
    )
      await confirm.click();
    await agree('retried', 'updateHeld');
  });

  test('a fixed image is applied; then roll back to the first revision from the revisions page', async () => {
    writeFileSync(
      printer(),
      readFileSync(printer(), 'utf8').replace(/label-printer:[\w.-]+/, 'label-printer:2.0.2'),
    );
    await syncNow();
    await agree('fixed', 'allGood');
    await page.goto(`${outpost.url}/revisions`);
    const row = page.locator('tr[data-revision]').last();
    const oldest = (await row.getAttribute('data-revision')) as string;
    const short = ((await row.locator('code').first().textContent()) ?? '').trim();
    await page.getByTestId(`rollback-${oldest}`).click();
    await page.getByTestId('confirm-rollback').click();
    await waitFor(
      'the rollback to run',
      async () => JSON.parse((await statusJson()).stdout).applied?.revision === short,
      STEP_MS,
      500,
    );
    await agree('rolled-back', 'allGood');
  });

  test('restart a workload: every screen agrees while it restarts and after', async () => {
    await page.goto(`${outpost.url}/workloads`);
    await page.getByTestId('restart-web').click();
    await page.getByTestId('confirm-restart').click();
    await agree('restarted', 'allGood');
  });

  test('broken YAML: "Update refused" naming the file and the line, on the kiosk too', async () => {
    writeFileSync(printer(), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: [\n');
    await syncNow();
    const { cli, texts } = await agree('refused', 'updateRefused');
    assert.equal(cli.causes[0]?.code, 'parse');
    assert.match(cli.causes[0]?.vars.file ?? '', /label-printer\.yaml/);
    for (const t of texts) assert.match(t, /label-printer\.yaml/);
    for (const t of texts) assert.doesNotMatch(t, /No failing workloads/);
  });

  test('upstream down: "Running offline" everywhere, the last good version keeps running', async () => {
    renameSync(fleet, `${fleet}-gone`);
    await syncNow();
    const { cli } = await agree('offline', 'offline');
    assert.equal(cli.sync, 'unreachable');
  });
});
