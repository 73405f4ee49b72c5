// Fuzzing the multipart upload route (POST /actions/upload, server/web/multipart.ts today): any body and
// Content-Type an operator's browser could send is answered with a 4xx or 2xx — never a 500 — within the
// per-case time budget (a quadratic parser shows as a case that never ends), and no prototype is touched.
// It goes through HTTP on purpose, so it holds for whichever multipart parser the route uses.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { writeTarGz } from '../../server/sources/tar.ts';
import { fuzz, guardedAsync } from '../support/fuzz.ts';
import { fuzzConsole } from '../support/fuzz-console.ts';
import { hostileString, NON_UTF8, PATHS, PROTO_KEYS, repeatCount } from '../support/hostile.ts';

/** Header-safe text (what a browser can put in a header): tab, printable ASCII and latin-1 bytes. */
const headerText = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

const boundary = fc
  .oneof(
    fc.constantFrom('B', 'x'.repeat(70), 'x'.repeat(200), '(a+)+$', '--', 'a b', '__proto__', '', '"', '\\'),
    hostileString,
  )
  .map(headerText);

const contentType = fc
  .tuple(
    boundary,
    fc.constantFrom(
      'multipart/form-data; boundary={b}',
      'multipart/form-data; boundary="{b}"',
      'multipart/form-data;boundary={b};charset=utf-8',
      'multipart/form-data; charset=x; boundary={b}; boundary=other',
      'multipart/form-data',
      'MULTIPART/FORM-DATA; BOUNDARY={b}',
      'multipart/mixed; boundary={b}',
      'text/plain',
      'application/x-www-form-urlencoded',
    ),
  )
  .map(([b, t]) => ({ b, type: t.replaceAll('{b}', b) }));

const fieldName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('bundle', 'signature') },
  { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS, '_csrf') },
  { weight: 1, arbitrary: hostileString },
);

const filename = fc.oneof(
  fc.constantFrom('site.tar.gz', 'site.tar.gz.minisig', ...PATHS, ...PROTO_KEYS, 'a"b', 'x'.repeat(5000)),
  hostileString,
);

const content = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
  fc.constantFrom(...NON_UTF8),
  fc.string({ maxLength: 60 }).map((s) => Buffer.from(s)),
  // a real bundle of hostile file names (unsigned, or with a garbage signature part beside it)
  fc
    .uniqueArray(fc.constantFrom(...PROTO_KEYS, 'ns.yaml', 'a/b.yaml'), { minLength: 1, maxLength: 3 })
    .map((names) => writeTarGz(Object.fromEntries(names.map((n) => [n, 'kind: ConfigMap\n'])))),
  fc.constantFrom(Buffer.from('untrusted comment: x\nRWQ=\ntrusted comment: version=1\nAAAA\n')),
);

const part = fc
  .tuple(
    fieldName,
    fc.option(filename, { nil: undefined }),
    content,
    fc.constantFrom('', 'Content-Type: application/gzip\r\n', 'X: y\r\n'),
  )
  .map(([name, file, data, extra]) => ({ name, file, data, extra }));

const body = fc
  .tuple(
    contentType,
    fc.array(part, { maxLength: 4 }),
    fc.constantFrom('\r\n', '\n'),
    fc.constantFrom('ok', 'no-close', 'cut', 'preamble', 'many-empty'),
    repeatCount(40_000),
  )
  .map(([ct, parts, nl, shape, repeat]) => {
    const d = `--${ct.b}`;
    const chunks: Buffer[] = [];
    if (shape === 'preamble') chunks.push(Buffer.from(`junk${nl}`));
    for (const p of parts) {
      const disp = `Content-Disposition: form-data; name="${p.name}"${p.file === undefined ? '' : `; filename="${p.file}"`}`;
      chunks.push(Buffer.from(`${d}${nl}${disp}${nl}${p.extra}${nl}`), p.data, Buffer.from(nl));
    }
    // Many delimiters and one header end at the very end: each part's header search runs to the end.
    if (shape === 'many-empty')
      chunks.push(Buffer.from(`${d}${nl}`.repeat(Math.max(1, repeat))), Buffer.from(`${nl}${nl}`));
    if (shape !== 'no-close') chunks.push(Buffer.from(`${d}--${nl}`));
    let out = Buffer.concat(chunks);
    if (shape === 'cut') out = out.subarray(0, Math.floor(out.length / 2));
    return { type: ct.type, body: out };
  });

/** Many parts and one header end at the very end, under a well-formed Content-Type: the parser's worst case. */
const manyParts = fc
  .tuple(fc.constantFrom('B', 'x'.repeat(70)), fc.integer({ min: 50_000, max: 80_000 }))
  .map(([b, n]) => ({
    type: `multipart/form-data; boundary=${b}`,
    body: Buffer.from(`${`--${b}\r\n`.repeat(n)}\r\n\r\n--${b}--\r\n`),
  }));

async function post(
  c: Awaited<ReturnType<typeof fuzzConsole>>,
  b: { type: string; body: Buffer },
  htmx: boolean,
) {
  const res = await c.operator.request('/actions/upload', {
    method: 'POST',
    body: new Uint8Array(b.body),
    headers: {
      'content-type': b.type,
      'x-csrf-token': c.operator.csrf,
      ...(htmx ? { 'hx-request': 'true' } : {}),
    },
  });
  const text = await res.text();
  assert.ok(res.status < 500, `status ${res.status}: ${text.slice(0, 300)}`);
}

fuzz(import.meta.url, {
  'the upload route answers any multipart body with a 2xx or 4xx, never a 500, and in time': {
    runs: 60,
    heapMb: 384,
    build: async () => {
      const c = await fuzzConsole();
      return {
        close: c.close,
        property: fc.asyncProperty(body, fc.boolean(), (b, htmx) =>
          guardedAsync({ type: b.type, body: b.body.toString('latin1') }, [], () => post(c, b, htmx)),
        ),
      };
    },
  },

  'the upload route answers a body of many empty parts in time': {
    runs: 3,
    heapMb: 384,
    build: async () => {
      const c = await fuzzConsole();
      return {
        close: c.close,
        property: fc.asyncProperty(manyParts, (b) =>
          guardedAsync(
            `${b.type}: ${b.body.length} bytes: ${b.body.subarray(0, 40).toString('latin1')}…`,
            [],
            () => post(c, b, true),
          ),
        ),
      };
    },
  },
});
