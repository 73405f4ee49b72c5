// The tunnel's web routes and banner: form validation, open/close over htmx, kiosk view, failure notice, escaping.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import express from 'express';
import type { TunnelAuditEntry, TunnelConfig } from '../../server/tunnel/model.ts';
import { SupportTunnel } from '../../server/tunnel/tunnel.ts';
import { errorHandler } from '../../server/web/middleware/errors.ts';
import { type TunnelDeps, tunnelRoutes } from '../../server/web/routes/tunnel.ts';
import { createViews } from '../../server/web/views.ts';
import { assertSaidApart } from '../support/details.ts';
import { listen, type Running } from '../support/http.ts';
import { silentLog } from '../support/log.ts';
import { waitFor } from '../support/process.ts';

const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA test';

describe('tunnel routes', () => {
  let dir: string;
  let keyFile: string;
  // A "bastion" that accepts TCP and never speaks SSH, so a tunnel stays in "connecting" for as long as a test needs.
  let silent: Server;
  let silentPort: number;
  const held = new Set<Socket>();
  let web: Running;
  const deps: TunnelDeps = { tunnel: null };
  let audits: TunnelAuditEntry[] = [];

  before(async () => {
    dir = mkdtempSync('/tmp/outpost-tunnel-routes-');
    keyFile = path.join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
    silent = createServer((s) => {
      held.add(s);
      s.on('close', () => held.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as AddressInfo).port;
    const views = createViews({ nodeName: 'gateway-7', demo: null });
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    // Stands in for the CSRF middleware the app mounts before these routes.
    app.use((req, res, next) => {
      res.locals.csrfToken = 'test-token';
      // Stands in for the language middleware: the reader's language from a test header.
      if (req.get('x-test-locale')) res.locals.locale = req.get('x-test-locale');
      next();
    });
    app.use(tunnelRoutes(deps, views));
    app.use(errorHandler(silentLog, views));
    web = await listen(app);
  });
  afterEach(() => {
    deps.tunnel?.close('cleanup');
    deps.tunnel = null;
    audits = [];
  });
  after(async () => {
    await web.close();
    for (const s of held) s.destroy();
    await new Promise((r) => silent.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  function useTunnel(over: Partial<TunnelConfig> = {}): SupportTunnel {
    deps.tunnel = new SupportTunnel({
      config: {
        host: '127.0.0.1',
        port: silentPort,
        user: 'support',
        keyFile,
        hostKey: HOST_KEY,
        remotePort: 0,
        maxMs: 8 * 3_600_000,
        ...over,
      },
      console: { host: '127.0.0.1', port: 1 },
      audit: (e) => audits.push(e),
      log: silentLog,
    });
    return deps.tunnel;
  }

  const post = (p: string, body: Record<string, string>, htmx = true) =>
    fetch(web.url + p, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(htmx ? { 'HX-Request': 'true' } : {}),
      },
      body: new URLSearchParams(body),
      redirect: 'manual',
    });

  test('POST /actions/tunnel/open starts the tunnel and answers the connecting banner with a Close form', async () => {
    const tunnel = useTunnel();
    const res = await post('/actions/tunnel/open', { minutes: '30', _csrf: 'test-token' });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /data-state="connecting"/);
    assert.match(html, /Remote support connecting…/);
    assert.match(html, /hx-get="\/fragments\/tunnel\?watch=1" hx-trigger="every 2s"/);
    assert.match(html, /hx-post="\/actions\/tunnel\/close"/);
    assert.match(html, /name="_csrf" value="test-token"/);
    const s = tunnel.status();
    const minutes = (Date.parse(s.until as string) - Date.now()) / 60_000;
    assert.ok(minutes > 29 && minutes <= 30);
    assert.equal(s.openedBy, 'anonymous@127.0.0.1'); // no session in this unit test: the address stands in
    assert.deepEqual(
      audits.map((a) => `${a.action}:${a.result}:${a.actor}`),
      ['tunnel-open:requested:anonymous@127.0.0.1'],
    );
  });

  test('POST /actions/tunnel/open defaults to 60 minutes when minutes is empty', async () => {
    const tunnel = useTunnel();
    assert.equal((await post('/actions/tunnel/open', { minutes: '' })).status, 200);
    const minutes = (Date.parse(tunnel.status().until as string) - Date.now()) / 60_000;
    assert.ok(minutes > 59 && minutes <= 60);
  });

  test('POST /actions/tunnel/open refuses minutes outside 1..480 and opens nothing', async () => {
    const tunnel = useTunnel();
    for (const [minutes, message] of [
      ['481', /whole minutes, from 1 to 480/],
      ['0', /whole minutes, from 1 to 480/],
      ['abc', /whole minutes, from 1 to 480/],
      ['1.5', /whole minutes, from 1 to 480/],
    ] as const) {
      const res = await post('/actions/tunnel/open', { minutes });
      assert.equal(res.status, 400, `minutes=${minutes}`);
      assert.match(await res.text(), message);
    }
    assert.equal(tunnel.status().state, 'closed');
    assert.equal(audits.length, 0);
  });

  test('POST /actions/tunnel/open refuses more than the configured maximum', async () => {
    const tunnel = useTunnel({ maxMs: 2 * 3_600_000 });
    const res = await post('/actions/tunnel/open', { minutes: '180' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /from 1 to 120\./);
    assert.equal(tunnel.status().state, 'closed');
  });

  test('opening an open tunnel again moves its end time and audits the extension', async () => {
    const tunnel = useTunnel();
    tunnel.open({ minutes: 10, actor: 'alice' });
    await post('/actions/tunnel/open', { minutes: '120' });
    const minutes = (Date.parse(tunnel.status().until as string) - Date.now()) / 60_000;
    assert.ok(minutes > 119 && minutes <= 120);
    assert.deepEqual(
      audits.map((a) => `${a.action}:${a.result}`),
      ['tunnel-open:requested', 'tunnel-open:extended'],
    );
  });

  test('POST /actions/tunnel/close closes it, audits it and answers an empty banner', async () => {
    const tunnel = useTunnel();
    tunnel.open({ minutes: 10, actor: 'alice' });
    const res = await post('/actions/tunnel/close', {});
    assert.equal(res.status, 200);
    assert.equal((await res.text()).trim(), '<div id="tunnel-banner" hidden></div>');
    assert.equal(tunnel.status().state, 'closed');
    assert.equal(audits.at(-1)?.action, 'tunnel-close');
    assert.equal(audits.at(-1)?.actor, 'anonymous@127.0.0.1');
  });

  test('a plain form post is sent back to the overview', async () => {
    useTunnel();
    const res = await post('/actions/tunnel/open', { minutes: '5' }, false);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');
  });

  test('the tunnel routes answer 409 with a plain reason when no bastion is configured', async () => {
    for (const p of ['/actions/tunnel/open', '/actions/tunnel/close']) {
      const res = await post(p, { minutes: '5' });
      assert.equal(res.status, 409);
      assert.match(await res.text(), /Remote support is not configured on this box/);
    }
    const banner = await fetch(`${web.url}/fragments/tunnel`);
    assert.equal((await banner.text()).trim(), '<div id="tunnel-banner" hidden></div>');
  });

  test('the kiosk banner shows the state but no control and no bastion details', async () => {
    const tunnel = useTunnel();
    tunnel.open({ minutes: 10, actor: 'alice' });
    const html = await (await fetch(`${web.url}/fragments/tunnel?kiosk=1`)).text();
    assert.match(html, /Remote support connecting…/);
    assert.match(html, /hx-get="\/fragments\/tunnel\?kiosk=1"/);
    assert.doesNotMatch(html, /<form|_csrf|alice|127\.0\.0\.1/);
  });

  test('a refused tunnel shows why right after the attempt, escaped, and nothing on later page loads', async () => {
    const tunnel = useTunnel({ keyFile: path.join(dir, '<b>missing</b>') });
    tunnel.open({ minutes: 10, actor: 'alice' });
    await waitFor('the refusal', async () => tunnel.status().state === 'closed', 2000, 10);
    const watched = await (await fetch(`${web.url}/fragments/tunnel?watch=1`)).text();
    assert.match(watched, /Remote support could not connect/);
    assert.match(watched, /cannot use the tunnel key file .*&lt;b&gt;missing&lt;\/b&gt;/);
    assert.doesNotMatch(watched, /<b>missing/);
    const later = await (await fetch(`${web.url}/fragments/tunnel`)).text();
    assert.equal(later.trim(), '<div id="tunnel-banner" hidden></div>');
    assert.deepEqual(
      audits.map((a) => `${a.action}:${a.result}`),
      ['tunnel-open:requested', 'tunnel-error:refused'],
    );
  });

  test('in Russian and Chinese a refused tunnel says why in the reader’s words; the raw reason only under the support details', async () => {
    const tunnel = useTunnel({ keyFile: path.join(dir, 'missing-key') });
    tunnel.open({ minutes: 10, actor: 'alice' });
    await waitFor('the refusal', async () => tunnel.status().state === 'closed', 2000, 10);
    assert.equal(tunnel.status().problem, 'key-unreadable');
    const banner = async (locale: string) =>
      (await fetch(`${web.url}/fragments/tunnel?watch=1`, { headers: { 'x-test-locale': locale } })).text();
    assertSaidApart(
      await banner('ru'),
      'Файл ключа туннеля на узле не читается или не является ключом.',
      /cannot use the tunnel key file .*missing-key/,
    );
    assertSaidApart(await banner('zh-CN'), '无法读取节点上的隧道密钥文件', /cannot use the tunnel key file/);
    // The audit line keeps the code and the raw reason, so the audit page can say the same.
    const refused = audits.find((a) => a.result === 'refused');
    assert.match(refused?.detail ?? '', /^key-unreadable: cannot use the tunnel key file /);
  });
});
