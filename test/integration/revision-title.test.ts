// Revisions say what they are: a git commit's subject and author, an upload's file name and uploader, a signed
// bundle's version and key id — on /revisions, the detail page, the overview, the kiosk and `outpost revisions`,
// with hostile text bounded, stripped of control characters and escaped.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createSource, sourceOptions } from '../../server/sources/index.ts';
import { LABEL_LIMITS } from '../../server/sources/label.ts';
import { writeTarGz } from '../../server/sources/tar.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { fleetApp } from '../support/console.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { type GitServer, startGitServer } from '../support/git-server.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';
import { startBundleServer } from '../support/http-bundle-server.ts';
import { type KeyPair, makeKeyPair, minisignSign } from '../support/minisign.ts';
import { ROOT } from '../support/process.ts';

const run = promisify(execFile);

/** `outpost revisions` (or `status`) against a store, as a shell on the node runs it (stdout a pipe: no width). */
async function revisionsCli(
  dataDir: string,
  source: { kind: string; url: string },
  json: boolean,
  cmd = 'revisions',
) {
  const { stdout } = await run(process.execPath, ['bin/outpost.js', cmd, ...(json ? ['--json'] : [])], {
    cwd: ROOT,
    timeout: 30_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      OUTPOST_LOG_LEVEL: 'silent',
      OUTPOST_DATA_DIR: dataDir,
      OUTPOST_SOURCE_KIND: source.kind,
      OUTPOST_SOURCE_URL: source.url,
    },
  });
  return stdout;
}

interface JsonRevision {
  id: number;
  subject: string | null;
  author: string | null;
  committedAt: string | null;
  uploadName: string | null;
  uploadedBy: string | null;
  version: string | null;
  signer: string | null;
  running: boolean;
  title: { kind: string } | null;
}

/** Control and invisible format characters (bidi overrides among them): none may reach a page or a terminal. */
const HIDDEN = /\p{Cc}|\p{Cf}/u;

/** The "What it is" cell of one revision on /revisions, as HTML. */
function titleCell(html: string, id: number): string {
  const m = new RegExp(`data-testid="rev-title-${id}">([\\s\\S]*?)</td>`).exec(html);
  assert.ok(m, `no title cell for revision ${id}`);
  return m[1] as string;
}

/** Text of HTML: tags dropped, the entities the escaper writes decoded. */
const text = (html: string) =>
  html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

async function consoleFor(
  f: Fleet,
  sync: SyncService,
  src: { kind: 'git' | 'http'; url: string; path: string },
) {
  return listen(fleetApp(f, { sync, access: await testAccess(f.db), nodeName: 'n', source: src }));
}

describe('a git source, and an upload beside it', () => {
  let f: Fleet;
  let git: GitServer;
  let sync: SyncService;
  let web: Running;
  let key: KeyPair;
  let src: { kind: 'git'; url: string; path: string };

  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS });
    git = await startGitServer();
    key = makeKeyPair(f.dir, 'site');
    src = { kind: 'git', url: git.url, path: '.' };
    const settings = { trustedKeys: [key.line], dataDir: f.dataDir };
    sync = createSyncService({
      ...f.deps,
      source: createSource(src, settings),
      uploads: { dataDir: f.dataDir, options: sourceOptions(src, settings) },
    });
    web = await consoleFor(f, sync, src);
  });
  after(async () => {
    await web.close();
    await sync.stop();
    await git.close();
    await f.close();
  });

  test('a commit shows its subject and author on /revisions, its page, the overview, the kiosk and the CLI', async () => {
    const sha = git.commit(
      { 'ns.yaml': NS, 'cm.yaml': configMap('web', '1.2') },
      'Bump web to 1.2\n\nThe body is not the subject.\n',
      'main',
      'Ada',
    );
    const r = await sync.trigger('schedule');
    assert.equal(r.result, 'succeeded', r.message ?? '');
    const id = r.revisionId as number;
    const br = await new Browser(web.url).login();

    assert.equal(text(titleCell(await br.page('/revisions'), id)), 'Bump web to 1.2 — Ada');
    const detail = await br.page(`/revisions/${id}`);
    assert.match(detail, /data-testid="rev-subject">Bump web to 1\.2<\/dd>/);
    assert.match(detail, /data-testid="rev-author">Ada<\/dd>/);
    assert.doesNotMatch(detail, /The body is not the subject/);
    assert.match(
      text(await br.page(`/runs/${r.id}`)),
      /Bump web to 1\.2 — Ada/,
      'the run names its revision',
    );
    // The short form beside the running revision: the subject.
    assert.match(text(await br.page('/')), /Bump web to 1\.2/);
    // The sync panel names it twice: as the running revision and as the last sync's.
    assert.equal(text(await br.page('/fragments/sync')).match(/Bump web to 1\.2/g)?.length, 2);
    assert.match(
      text(await br.page('/kiosk')).replace(/\s+/g, ' '),
      /Bump web to 1\.2/,
      'the kiosk names the running revision by its subject',
    );

    const json = JSON.parse(await revisionsCli(f.dataDir, src, true)) as JsonRevision[];
    const rev = json.find((x) => x.id === id);
    assert.ok(rev);
    assert.equal(rev.subject, 'Bump web to 1.2');
    assert.equal(rev.author, 'Ada');
    assert.equal(rev.version, sha);
    assert.ok(rev.committedAt && !Number.isNaN(Date.parse(rev.committedAt)));
    assert.equal(rev.running, true);
    assert.equal(rev.title?.kind, 'commit');
    const line = (await revisionsCli(f.dataDir, src, false))
      .split('\n')
      .find((l) => l.startsWith(String(id).padStart(4)));
    assert.ok(line);
    assert.match(line, /running .* Bump web to 1\.2 — Ada$/);
    assert.ok(line.length <= 72, `${line.length} characters: ${line}`);
    const status = await revisionsCli(f.dataDir, src, false, 'status');
    assert.match(status, /^applied: +[0-9a-f]{12} "Bump web to 1\.2 — Ada" at /m);
  });

  test('a hostile commit subject and author are bounded, cleaned and escaped everywhere', async () => {
    const subject = `<script>alert(1)</script>\u001b[31mred\u0007 \u202eevil\u202c ${'A'.repeat(10 * 1024)}`;
    git.commit(
      { 'ns.yaml': NS, 'cm.yaml': configMap('web', 'hostile') },
      `${subject}\nsecond line`,
      'main',
      'Mallory\u0007\u202e & "Eve" Jr',
    );
    const r = await sync.trigger('schedule');
    assert.equal(r.result, 'succeeded', r.message ?? '');
    const id = r.revisionId as number;
    const rev = (JSON.parse(await revisionsCli(f.dataDir, src, true)) as JsonRevision[]).find(
      (x) => x.id === id,
    );
    assert.ok(rev?.subject && rev.author);
    assert.ok(Array.from(rev.subject).length <= LABEL_LIMITS.subject, `${rev.subject.length} characters`);
    assert.ok(rev.subject.startsWith('<script>alert(1)</script> [31mred evil AAA'), rev.subject);
    assert.ok(rev.subject.endsWith('…'));
    assert.doesNotMatch(rev.subject + rev.author, HIDDEN);
    assert.equal(rev.author, 'Mallory & "Eve" Jr');

    const br = await new Browser(web.url).login();
    for (const page of ['/revisions', `/revisions/${id}`, '/', '/kiosk']) {
      const html = await br.page(page);
      assert.doesNotMatch(html, /<script>alert|& "Eve"|\u202e/, page);
      assert.ok(!html.includes('\u001b') && !html.includes('\u0007'), `${page} shows no control character`);
      assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, page);
      assert.ok(!html.includes('A'.repeat(LABEL_LIMITS.subject + 1)), `${page} shows the subject bounded`);
    }
    const plain = await revisionsCli(f.dataDir, src, false);
    for (const l of plain.trimEnd().split('\n')) {
      assert.doesNotMatch(l, HIDDEN);
      assert.ok(l.length <= 72, `${l.length} characters: ${l}`);
    }
  });

  test('an upload shows its file name and who uploaded it', async () => {
    const tgz = path.join(f.dir, 'berlin-2026-12.tar.gz');
    writeFileSync(tgz, writeTarGz({ 'ns.yaml': NS, 'cm.yaml': configMap('web', 'from-usb') }));
    const sig = minisignSign(key, tgz, 'version=7');
    const br = await new Browser(web.url).login('operator');
    const form = new FormData();
    form.append('bundle', new Blob([new Uint8Array(readFileSync(tgz))]), 'berlin-2026-12.tar.gz');
    form.append('signature', new Blob([sig]), 'berlin-2026-12.tar.gz.minisig');
    const res = await br.request('/actions/upload', {
      method: 'POST',
      body: form,
      headers: { 'X-CSRF-Token': br.csrf, 'HX-Request': 'true' },
    });
    assert.equal(res.status, 200, await res.text());
    await sync.trigger('schedule'); // queued behind the upload's own run
    const upload = sync.runs(5).find((x) => x.trigger === 'upload');
    assert.equal(upload?.result, 'succeeded');
    const id = upload?.revisionId as number;

    assert.equal(
      text(titleCell(await br.page('/revisions'), id)),
      'upload: berlin-2026-12.tar.gz by operator',
    );
    assert.match(
      await br.page(`/revisions/${id}`),
      /data-testid="rev-upload-name">berlin-2026-12\.tar\.gz<\/dd>/,
    );
    const rev = (JSON.parse(await revisionsCli(f.dataDir, src, true)) as JsonRevision[]).find(
      (x) => x.id === id,
    );
    assert.equal(rev?.uploadName, 'berlin-2026-12.tar.gz');
    assert.equal(rev?.uploadedBy, 'operator');
    assert.equal(rev?.version, '7');
    assert.equal(rev?.signer, key.id);
  });
});

describe('a signed bundle over HTTP', () => {
  test('shows its version and the key id that signed it', async () => {
    const f = await makeFleet({ 'ns.yaml': NS });
    const server = await startBundleServer();
    const key = makeKeyPair(f.dir, 'fleet');
    const src = { kind: 'http' as const, url: server.url('site.tar.gz'), path: '.' };
    const sync = createSyncService({ ...f.deps, source: createSource(src, { trustedKeys: [key.line] }) });
    const web = await consoleFor(f, sync, src);
    try {
      const tgz = path.join(f.dir, 'site.tar.gz');
      writeFileSync(tgz, writeTarGz({ 'ns.yaml': NS, 'cm.yaml': configMap('web', 'signed') }));
      const sig = minisignSign(key, tgz, 'version=42');
      server.put('site.tar.gz', readFileSync(tgz));
      server.put('site.tar.gz.minisig', sig);
      const r = await sync.trigger('schedule');
      assert.equal(r.result, 'succeeded', r.message ?? '');
      const id = r.revisionId as number;
      const br = await new Browser(web.url).login();
      assert.equal(text(titleCell(await br.page('/revisions'), id)), `version 42 · signed by ${key.id}`);
      assert.match(text(await br.page(`/revisions/${id}`)), new RegExp(`version 42 · signed by ${key.id}`));
      const rev = (JSON.parse(await revisionsCli(f.dataDir, src, true)) as JsonRevision[]).find(
        (x) => x.id === id,
      );
      assert.deepEqual(
        { version: rev?.version, signer: rev?.signer, title: rev?.title },
        { version: '42', signer: key.id, title: { kind: 'bundle', version: '42', signer: key.id } },
      );
    } finally {
      await web.close();
      await sync.stop();
      await server.close();
      await f.close();
    }
  });
});
