// The signature requirement cannot be bypassed from the console: the settings page offers and the server
// accepts only signed source kinds, and a stored unsigned choice fails every sync as VerifyFailed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { openDb } from '../../server/db/open.ts';
import { writeSetting } from '../../server/db/settings.ts';
import { dirSource } from '../../server/sources/dir.ts';
import { createSyncService, type SyncService, type SyncServiceDeps } from '../../server/sync/service.ts';
import { lkgRevision } from '../../server/sync/state-keys.ts';
import { fleetApp } from '../support/console.ts';
import { assertSaidApart } from '../support/details.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';

const run = promisify(execFile);

describe('console source changes while signatures are required', () => {
  let f: Fleet;
  let deps: SyncServiceDeps;
  let sync: SyncService;
  let web: Running;
  let unsigned: string;

  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings') });
    // What an attacker with the admin's password would point the node at: a folder nobody signed.
    unsigned = path.join(f.dir, 'unsigned');
    mkdirSync(unsigned);
    writeFileSync(path.join(unsigned, 'ns.yaml'), NS);
    writeFileSync(path.join(unsigned, 'cm.yaml'), configMap('planted', 'evil'));
    deps = {
      ...f.deps,
      sourceSpec: { kind: 'dir', url: f.sourceDir, path: '.' },
      makeSource: (spec) => dirSource(spec.url),
      sourcePolicy: { requireSignature: true, edit: 'signed' },
    };
    sync = createSyncService(deps);
    web = await listen(fleetApp(f, { sync, access: await testAccess(f.db) }));
    assert.equal((await sync.trigger('startup')).result, 'succeeded');
  });
  after(async () => {
    await web.close();
    await sync.stop();
    await f.close();
  });

  test('the settings page says which sources may be chosen, in every language, and offers only signed kinds', async () => {
    const b = await new Browser(web.url).login('admin');
    const html = await b.page('/settings');
    assert.match(
      html,
      /data-testid="source-rule">Only a source that delivers signed bundles can be chosen here \(http, oci, upload\)/,
    );
    assert.doesNotMatch(html, /<option>(git|dir)<\/option>/);
    assert.match(
      html,
      /<option disabled selected>dir<\/option>/,
      'the configured kind is shown, not offered',
    );
    b.cookies.set('outpost_lang', 'zh-CN');
    assert.match(await b.page('/settings'), /此处只能选择提供已签名包的来源/);
    b.cookies.set('outpost_lang', 'ru');
    assert.match(await b.page('/settings'), /только источник с подписанными пакетами/);
  });

  test('posting a git or dir source is refused with the reason, nothing is stored, and the refusal is audited', async () => {
    const b = await new Browser(web.url).login('admin');
    await b.page('/settings');
    for (const form of [
      { kind: 'dir', url: unsigned, ref: '', path: '.' },
      { kind: 'git', url: 'https://git.example/fleet.git', ref: 'main', path: '.' },
    ]) {
      const res = await b.post('/actions/settings/source', form);
      assert.equal(res.status, 400, form.kind);
      assertSaidApart(
        await res.text(),
        /Not saved: a (dir|git) source carries no signature, and on this node the console may choose signed sources only: choose one of http, oci, upload/,
        /a (dir|git) source carries no signature and signatures are required \(OUTPOST_REQUIRE_SIGNATURE\)/,
      );
      assert.equal(sync.settings.effective().overridden.source, undefined);
    }
    const refused = sync.history.audit(5).filter((a) => a.action === 'settings.source');
    assert.ok(refused.length >= 2 && refused.every((a) => a.result === 'refused'));
    // In Russian the refusal says what to do; the configuration's names stay in the English under the details.
    b.cookies.set('outpost_lang', 'ru');
    const ru = await b.post('/actions/settings/source', {
      kind: 'git',
      url: 'https://git.example/fleet.git',
      ref: 'main',
      path: '.',
    });
    assert.equal(ru.status, 400);
    assertSaidApart(
      await ru.text(),
      'Не сохранено: источник git не несёт подписи, а на этом узле консоль может выбирать только подписанные источники',
      'OUTPOST_REQUIRE_SIGNATURE',
    );
  });

  test('an unsigned console source already in the store fails the sync as VerifyFailed and the node keeps its version', async () => {
    const lkg = lkgRevision.get(f.db);
    writeSetting(f.db, 'source', { kind: 'dir', url: unsigned, path: '.' }, 'admin');
    // As after a restart: the stored choice is read when the service starts.
    const restarted = createSyncService(deps);
    restarted.start({
      schedule: '0 0 1 1 *',
      nodeName: 'gw',
      liveIntervalMs: 60_000,
      clusterIntervalMs: 60_000,
    });
    try {
      const run = await restarted.trigger('sync-now', 'admin');
      assert.equal(run.result, 'failed');
      assert.equal(run.reason, 'VerifyFailed');
      assert.match(
        run.message ?? '',
        /dir source .* was chosen on the console, but dir sources carry no signature and OUTPOST_REQUIRE_SIGNATURE is on/,
      );
      assert.deepEqual(lkgRevision.get(f.db), lkg);
      assert.equal(
        await f.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'planted' }),
        null,
      );
      const b = await new Browser(web.url).login('admin');
      assert.match(await b.page('/settings'), /data-testid="source-refused"/);
    } finally {
      await restarted.stop();
    }
  });
});

describe('the effective sync settings: every caller sees a console override', () => {
  let f: Fleet;
  let sync: SyncService;
  let chosen: string;
  const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'outpost.js');
  const cm = (name: string) =>
    f.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name });

  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('from-config') });
    chosen = path.join(f.dir, 'chosen');
    mkdirSync(chosen);
    writeFileSync(path.join(chosen, 'ns.yaml'), NS);
    writeFileSync(path.join(chosen, 'cm.yaml'), configMap('from-console'));
    sync = createSyncService({
      ...f.deps,
      sourceSpec: { kind: 'dir', url: f.sourceDir, path: '.' },
      makeSource: (spec) => dirSource(spec.url),
      sourcePolicy: { requireSignature: false, edit: 'any' },
    });
    sync.settings.update('source', { kind: 'dir', url: chosen, path: '.' }, 'admin');
  });
  after(async () => {
    await sync.stop();
    await f.close();
  });

  test('the page\'s "Next sync" preview plans the source chosen on the console', async () => {
    const refs = (await sync.preview()).map((c) => c.ref);
    assert.ok(
      refs.some((r) => r.includes('ConfigMap shop/from-console')),
      refs.join(', '),
    );
    assert.ok(!refs.some((r) => r.includes('from-config')), refs.join(', '));
  });

  test('a scheduled sync applies the source chosen on the console', async () => {
    const run = await sync.trigger('schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.notEqual(await cm('from-console'), null);
    assert.equal(await cm('from-config'), null);
  });

  test('`outpost diff` and `outpost sync --once` use the source chosen on the console', async () => {
    const dataDir = path.join(f.dir, 'cli-data');
    const db = openDb(dataDir);
    writeSetting(db, 'source', { kind: 'dir', url: chosen, path: '.' }, 'admin');
    db.close();
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      OUTPOST_LOG_LEVEL: 'silent',
      KUBECONFIG: path.join(f.dir, 'kubeconfig.yaml'),
      OUTPOST_DATA_DIR: dataDir,
      OUTPOST_SOURCE_KIND: 'dir',
      OUTPOST_SOURCE_URL: f.sourceDir,
      OUTPOST_REQUIRE_SIGNATURE: 'false',
      OUTPOST_CONSOLE_SOURCE_EDIT: 'any',
    };
    await f.cluster.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'from-console' });
    const diff = await run(process.execPath, [BIN, 'diff', '--json'], { env, timeout: 30_000 });
    const refs = (JSON.parse(diff.stdout) as { ref: string; action: string }[]).map((c) => c.ref);
    assert.ok(
      refs.some((r) => r.includes('ConfigMap shop/from-console')),
      refs.join(', '),
    );
    assert.ok(!refs.some((r) => r.includes('from-config')), refs.join(', '));
    const once = await run(process.execPath, [BIN, 'sync', '--once'], { env, timeout: 30_000 });
    assert.match(once.stdout, /^succeeded/);
    assert.notEqual(await cm('from-console'), null);
    assert.equal(await cm('from-config'), null);
  });
});
