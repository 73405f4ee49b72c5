// The streaming multipart reader: files by field, every limit, malformed and cut-off bodies, in linear time.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type MultipartError, readMultipart } from '../../server/web/multipart.ts';
import { bodyText } from '../support/http.ts';

const LIMITS = { files: { bundle: 4096, signature: 64 }, fields: 2, fieldSize: 32 };
const B = 'outpost-test-boundary';

type Answer = {
  files?: Record<string, { filename: string; hex: string }>;
  problem?: string;
  status?: number;
};

/** Sends `body` (chunks, written one by one; `end: false` leaves the body open) and reads the JSON answer. */
function send(
  port: number,
  chunks: (string | Buffer)[],
  headers: Record<string, string> = {},
  end = true,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        port,
        host: '127.0.0.1',
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${B}`, ...headers },
      },
      async (res) => {
        const text = await bodyText(res);
        req.destroy();
        resolve(JSON.parse(text) as Answer);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The server may close the connection once it has answered a refusal.
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    for (const c of chunks) req.write(c);
    if (end) req.end();
  });
}

const part = (name: string, data: string | Buffer, filename?: string) =>
  Buffer.concat([
    Buffer.from(
      `--${B}\r\nContent-Disposition: form-data; name="${name}"` +
        (filename !== undefined ? `; filename="${filename}"\r\nContent-Type: application/octet-stream` : '') +
        '\r\n\r\n',
    ),
    Buffer.from(data),
    Buffer.from('\r\n'),
  ]);
const close = `--${B}--\r\n`;

describe('readMultipart', () => {
  /** How each request's read ended, in arrival order. */
  const outcomes: Promise<string>[] = [];
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const reading = readMultipart(req, LIMITS);
      outcomes.push(
        reading.then(
          () => 'read',
          (err: MultipartError) => err.problem,
        ),
      );
      reading.then(
        (files) => {
          const out: Answer['files'] = {};
          for (const [k, v] of files) out[k] = { filename: v.filename, hex: v.data.toString('hex') };
          res.setHeader('content-type', 'application/json').end(JSON.stringify({ files: out }));
        },
        (err: MultipartError) => {
          res.setHeader('connection', 'close');
          res
            .setHeader('content-type', 'application/json')
            .end(JSON.stringify({ problem: err.problem, status: err.status }));
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('reads each file byte for byte, boundary-like bytes and CR LF inside the data included', async () => {
    const tricky = Buffer.concat([
      Buffer.from(`\r\n--${B.slice(0, -1)}\r\n\r\n--\r\n`),
      Buffer.from([0, 255, 13, 10]),
    ]);
    const a = await send(port, [
      part('bundle', tricky, 'site.tar.gz'),
      part('note', 'hello'),
      part('signature', 'sig', 's.minisig'),
      close,
    ]);
    assert.deepEqual(a.files, {
      bundle: { filename: 'site.tar.gz', hex: tricky.toString('hex') },
      signature: { filename: 's.minisig', hex: Buffer.from('sig').toString('hex') },
    });
  });

  test('reads a body that arrives one byte at a time', async () => {
    const body = Buffer.concat([part('bundle', 'abc\r\ndef', 'b.tgz'), Buffer.from(close)]);
    const a = await send(
      port,
      [...body].map((b) => Buffer.from([b])),
    );
    assert.equal(a.files?.bundle?.hex, Buffer.from('abc\r\ndef').toString('hex'));
  });

  test('refuses a file over its own limit with 413, the small signature limit included', async () => {
    assert.deepEqual(await send(port, [part('bundle', 'x'.repeat(4097), 'b'), close]), {
      problem: 'too-large',
      status: 413,
    });
    assert.deepEqual(await send(port, [part('signature', 'x'.repeat(65), 's'), close]), {
      problem: 'too-large',
      status: 413,
    });
  });

  test('refuses a declared Content-Length over the form limit before reading the body', async () => {
    // The body is never sent in full: the answer comes from the header alone.
    const a = await send(
      port,
      [part('bundle', 'x', 'b')],
      { 'content-length': String(10 * 1024 * 1024) },
      false,
    );
    assert.deepEqual(a, { problem: 'too-large', status: 413 });
  });

  test('refuses an unexpected file field, a file field sent twice, too many fields and an overlong field', async () => {
    assert.equal((await send(port, [part('evil', 'x', 'e'), close])).problem, 'unexpected-file');
    assert.equal(
      (await send(port, [part('bundle', 'x', 'a'), part('bundle', 'y', 'b'), close])).problem,
      'duplicate-file',
    );
    assert.equal(
      (await send(port, [part('a', '1'), part('b', '2'), part('c', '3'), close])).problem,
      'too-many-parts',
    );
    assert.deepEqual(await send(port, [part('a', 'x'.repeat(33)), close]), {
      problem: 'too-large',
      status: 413,
    });
  });

  test('refuses a body without a boundary, a malformed part header and a body cut off before the end', async () => {
    assert.deepEqual(await send(port, ['x'], { 'content-type': 'multipart/form-data' }), {
      problem: 'not-multipart',
      status: 400,
    });
    assert.deepEqual(await send(port, ['x'], { 'content-type': 'text/plain' }), {
      problem: 'not-multipart',
      status: 400,
    });
    assert.equal((await send(port, [`--${B}\r\n${'x'.repeat(20_000)}\r\n\r\n`, close])).problem, 'malformed');
    assert.deepEqual(await send(port, [part('bundle', 'abc', 'b')]), { problem: 'cut-off', status: 400 });
  });

  test('gives up with cut-off when the client drops the connection in the middle of a file', async () => {
    const before = outcomes.length;
    const req = request({
      port,
      host: '127.0.0.1',
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${B}` },
    });
    req.on('error', () => {});
    req.write(`--${B}\r\nContent-Disposition: form-data; name="bundle"; filename="b"\r\n\r\nabc`);
    while (outcomes.length === before) await new Promise((r) => setTimeout(r, 10));
    req.destroy();
    assert.equal(await outcomes[before], 'cut-off');
  });

  test('answers a malformed body while the rest of it is still being sent (it streams, never waits for the end)', async () => {
    const a = await send(port, [`--${B}\r\n${'Bad header\r\n'.repeat(2000)}`], {}, false);
    assert.deepEqual(a, { problem: 'malformed', status: 400 });
  });

  test('refuses bodies crafted against a naive delimiter search (512 KB of boundary and CR LF patterns)', {
    timeout: 30_000,
  }, async () => {
    const delimiters = `--${B}\r\n`.repeat(Math.ceil((512 * 1024) / (B.length + 4)));
    assert.equal((await send(port, [delimiters, '\r\n\r\n', close])).problem, 'too-many-parts');
    const crlf = `--${B}\r\nContent-Disposition: form-data; name="bundle"; filename="b"\r\n${'\r'.repeat(256 * 1024)}${'\r\n-'.repeat(128 * 1024)}`;
    assert.equal((await send(port, [crlf, close])).problem, 'malformed');
  });
});
