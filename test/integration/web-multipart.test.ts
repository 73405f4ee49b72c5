// The bundle upload route reads its form as it streams in, within limits: crafted, oversized, malformed and
// cut-off bodies are refused with 400/413 in words, and the console keeps serving.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { UPLOAD_LIMIT } from '../../server/web/routes/actions.ts';
import { fleetApp } from '../support/console.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, bodyText, listen, type Running, testAccess } from '../support/http.ts';

const B = 'crafted-boundary';

describe('upload form', () => {
  let f: Fleet;
  let sync: SyncService;
  let web: Running;
  let operator: Browser;

  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings') });
    sync = createSyncService(f.deps);
    web = await listen(fleetApp(f, { sync, access: await testAccess(f.db) }));
    operator = await new Browser(web.url).login('operator');
  });
  after(async () => {
    await web.close();
    await sync.stop();
    await f.close();
  });

  /**
   * Posts to /actions/upload as the signed-in operator, writing `chunks`; with `end: false` the body is left
   * open, so an answer proves the route did not wait for the whole body.
   */
  function upload(
    chunks: string[],
    o: { end?: boolean; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; text: string; connection: string | undefined }> {
    return new Promise((resolve, reject) => {
      const cookie = [...operator.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const req = request(
        `${web.url}/actions/upload`,
        {
          method: 'POST',
          headers: {
            cookie,
            'x-csrf-token': operator.csrf,
            'hx-request': 'true',
            'content-type': `multipart/form-data; boundary=${B}`,
            ...o.headers,
          },
        },
        async (res) => {
          const text = await bodyText(res);
          req.destroy();
          resolve({ status: res.statusCode ?? 0, text, connection: res.headers.connection });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
      });
      for (const c of chunks) req.write(c);
      if (o.end !== false) req.end();
    });
  }

  const healthy = async () => {
    assert.equal((await fetch(`${web.url}/healthz`)).status, 200);
    assert.equal((await operator.request('/')).status, 200);
  };

  test('a 512 KB body of delimiters and CR LF crafted against a naive parser is refused with 400 in words', {
    timeout: 30_000,
  }, async () => {
    const body = `--${B}\r\n`.repeat(Math.ceil((512 * 1024) / (B.length + 4)));
    const res = await upload([body, '\r\n\r\n', `--${B}--\r\n`]);
    assert.equal(res.status, 400);
    assert.match(res.text, /holds more than a bundle and a signature/);
    await healthy();
  });

  test('a malformed body is refused while the client is still sending it, and the connection is closed', {
    timeout: 30_000,
  }, async () => {
    const res = await upload([`--${B}\r\n${'Not a header line\r\n'.repeat(2000)}`], { end: false });
    assert.equal(res.status, 400);
    assert.match(res.text, /not a valid file upload form/);
    assert.equal(res.connection, 'close');
    await healthy();
  });

  test('a body declared larger than the limit is refused with 413 before it is read', {
    timeout: 30_000,
  }, async () => {
    const res = await upload([`--${B}\r\n`], {
      end: false,
      headers: { 'content-length': String(UPLOAD_LIMIT + 1024 * 1024) },
    });
    assert.equal(res.status, 413);
    assert.match(res.text, /larger than 64 MB/);
    await healthy();
  });

  test('a signature file far larger than a signature is refused with 413, in the reader’s language', async () => {
    const sig = `--${B}\r\nContent-Disposition: form-data; name="signature"; filename="s.minisig"\r\n\r\n${'x'.repeat(
      100_000,
    )}\r\n--${B}--\r\n`;
    const res = await upload([sig], { headers: { cookie: '' } }).catch(() => null);
    assert.equal(res?.status, 401, 'no session, no parse: sign in first');
    const ru = await upload([sig], {
      headers: {
        cookie: `${[...operator.cookies].map(([k, v]) => `${k}=${v}`).join('; ')}; outpost_lang=ru`,
      },
    });
    assert.equal(ru.status, 413);
    assert.match(ru.text, /Файл подписи слишком велик/);
  });

  test('two bundle files in one form are refused: the form takes one bundle', async () => {
    const file = (name: string) =>
      `--${B}\r\nContent-Disposition: form-data; name="bundle"; filename="${name}"\r\nContent-Type: application/gzip\r\n\r\nabc\r\n`;
    const res = await upload([file('a.tar.gz'), file('b.tar.gz'), `--${B}--\r\n`]);
    assert.equal(res.status, 400);
    assert.match(res.text, /two files for “Bundle \(\.tar\.gz\)”/);
  });

  test('a body cut off before its closing boundary is refused with 400 and nothing is stored', async () => {
    const before = sync.runs(50).length;
    const res = await upload([
      `--${B}\r\nContent-Disposition: form-data; name="bundle"; filename="b.tar.gz"\r\n\r\nabc`,
    ]);
    assert.equal(res.status, 400);
    assert.match(res.text, /cut off before it was complete/);
    assert.equal(sync.runs(50).length, before);
  });
});
