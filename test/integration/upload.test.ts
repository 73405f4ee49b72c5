// A signed bundle uploaded on the page (air-gapped site, USB stick) is verified, stored and applied; a bad one
// is refused with the reason on the page, and it beats the upstream until the upstream publishes something newer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { recentAudit } from '../../server/db/audit.ts';
import { createSource, sourceOptions } from '../../server/sources/index.ts';
import { reconcile } from '../../server/sync/reconciler.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { readStatus } from '../../server/sync/status.ts';
import { fleetApp } from '../support/console.ts';
import { assertSaidApart } from '../support/details.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';
import { type KeyPair, makeKeyPair, minisignSign } from '../support/minisign.ts';

const CM = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'settings' };

describe('upload', () => {
  let f: Fleet;
  let sync: SyncService;
  let web: Running;
  let key: KeyPair;
  let stranger: KeyPair;
  let n = 0;

  function bundle(value: string, comment: string, signer: KeyPair = key): { tgz: Buffer; sig: string } {
    const dir = path.join(f.dir, `up-${++n}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'ns.yaml'), NS);
    writeFileSync(path.join(dir, 'cm.yaml'), configMap('settings', value));
    const out = path.join(f.dir, `up-${n}.tar.gz`);
    assert.equal(spawnSync('tar', ['czf', out, '-C', dir, '.']).status, 0);
    return { tgz: readFileSync(out), sig: minisignSign(signer, out, comment) };
  }

  async function upload(b: { tgz: Buffer; sig?: string }, lang?: string): Promise<Response> {
    const br = await new Browser(web.url).login('operator');
    if (lang) br.cookies.set('outpost_lang', lang);
    const form = new FormData();
    form.append('bundle', new Blob([new Uint8Array(b.tgz)]), 'site.tar.gz');
    if (b.sig) form.append('signature', new Blob([b.sig]), 'site.tar.gz.minisig');
    return br.request('/actions/upload', {
      method: 'POST',
      body: form,
      headers: { 'X-CSRF-Token': br.csrf, 'HX-Request': 'true' },
    });
  }

  const value = async () => ((await f.cluster.get(CM))?.data as { key?: string } | undefined)?.key;

  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'from-upstream') });
    key = makeKeyPair(f.dir, 'site');
    stranger = makeKeyPair(f.dir, 'stranger');
    const src = { kind: 'dir' as const, url: f.sourceDir, path: '.' };
    const settings = { trustedKeys: [key.line], dataDir: f.dataDir };
    f.deps.source = createSource(src, settings);
    sync = createSyncService({
      ...f.deps,
      uploads: { dataDir: f.dataDir, options: sourceOptions(src, settings) },
    });
    web = await listen(fleetApp(f, { sync, access: await testAccess(f.db), nodeName: 'n', source: src }));
    assert.equal((await sync.trigger('startup')).result, 'succeeded');
  });
  after(async () => {
    await web.close();
    await sync.stop();
    await f.close();
  });

  test('a bundle signed by an untrusted key is refused on the page and nothing changes', async () => {
    const res = await upload(bundle('evil', 'version=3', stranger));
    const text = await res.text();
    assert.equal(res.status, 422, text);
    // What happened and what to do; the verifier's words only under "Details for support".
    assertSaidApart(
      text,
      'The bundle site.tar.gz was not accepted: it did not pass the node’s checks',
      /The bundle site.tar.gz was refused: .*not trusted/,
    );
    await sync.trigger('schedule');
    assert.equal(await value(), 'from-upstream');
    assert.equal(recentAudit(f.db)[0]?.result, 'refused');
    assert.match(recentAudit(f.db)[0]?.detail ?? '', /^refused: .*not trusted/);
  });

  test('in Russian and Chinese a refused bundle is said in the reader’s words, the reason under the support details', async () => {
    const ru = await upload(bundle('evil', 'version=3', stranger), 'ru');
    assert.equal(ru.status, 422);
    assertSaidApart(
      await ru.text(),
      'Пакет site.tar.gz не принят: он не прошёл проверки узла',
      /not trusted/,
    );
    const zh = await upload(bundle('evil', 'version=3', stranger), 'zh-CN');
    assertSaidApart(await zh.text(), '包 site.tar.gz 未被接受', /not trusted/);
  });

  test('an unsigned bundle is refused while signatures are required', async () => {
    const res = await upload({ tgz: bundle('nosig', 'version=3').tgz });
    assert.equal(res.status, 422);
    assertSaidApart(await res.text(), /not accepted/, /The bundle site.tar.gz was refused: .*signature/i);
  });

  test('a signed upload is applied and wins over the unchanged upstream', async () => {
    const res = await upload(bundle('from-usb', 'version=3'));
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^<section id="sync-panel"/);
    await sync.trigger('schedule'); // queued behind the upload's own run
    assert.equal(await value(), 'from-usb');
    assert.equal(sync.runs(5).find((r) => r.trigger === 'upload')?.result, 'succeeded');
    assert.equal(recentAudit(f.db).find((a) => a.action === 'upload')?.result, 'accepted');
  });

  test('when the upstream publishes something newer, it replaces the upload', async () => {
    f.write({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'upstream-v2') });
    const run = await sync.trigger('schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.equal(await value(), 'upstream-v2');
  });

  test('the periodic full fetch keeps the upstream’s win over the older upload', async () => {
    // Its own history, so it runs alone: an upload, then the upstream publishing something newer over it.
    assert.equal((await upload(bundle('from-usb-2', 'version=4'))).status, 200);
    await sync.trigger('schedule'); // queued behind the upload's own run
    assert.equal(await value(), 'from-usb-2');
    f.write({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'upstream-v3') });
    assert.equal((await sync.trigger('schedule')).result, 'succeeded');
    assert.equal(await value(), 'upstream-v3');
    // A day later the poll downloads both sides in full instead of trusting their tokens; which side won is
    // remembered in the token all the same.
    const later = new Date(Date.now() + 25 * 3_600_000);
    const run = await reconcile({ ...f.deps, now: () => later }, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.equal(readStatus(f.db).upstream.lastFullFetch, later.toISOString());
    assert.equal(await value(), 'upstream-v3');
  });
});
