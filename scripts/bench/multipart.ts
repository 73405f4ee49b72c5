// The upload form's reader: time to refuse bodies crafted against a naive delimiter search, and to read a
// legitimate 16 MB bundle, each through readMultipart as the route calls it (in-process, no network).
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { readMultipart } from '../../server/web/multipart.ts';
import { SIGNATURE_LIMIT, UPLOAD_LIMIT } from '../../server/web/routes/actions.ts';

const B = 'bench-boundary';
const LIMITS = { files: { bundle: UPLOAD_LIMIT, signature: SIGNATURE_LIMIT }, fields: 4, fieldSize: 1024 };

/** A request-like stream of `body` in 64 KB chunks, as a socket delivers it. */
function fakeRequest(body: Buffer): IncomingMessage {
  const chunks = Array.from({ length: Math.ceil(body.length / 65_536) }, (_, i) =>
    body.subarray(i * 65_536, (i + 1) * 65_536),
  );
  const req = Readable.from(chunks) as unknown as IncomingMessage;
  req.headers = {
    'content-type': `multipart/form-data; boundary=${B}`,
    'content-length': String(body.length),
  };
  return req;
}

async function timed(body: Buffer): Promise<string> {
  const start = performance.now();
  const outcome = await readMultipart(fakeRequest(body), LIMITS).then(
    () => 'read',
    (err: { problem?: string }) => `refused (${err.problem})`,
  );
  return `${(performance.now() - start).toFixed(1)} ms, ${outcome}`;
}

export const multipartBench = {
  id: 'multipart',
  title: 'Upload form (multipart, busboy)',
  async run(): Promise<[string, string][]> {
    const delimiters = Buffer.from(
      `${`--${B}\r\n`.repeat(Math.ceil((512 * 1024) / (B.length + 4)))}\r\n\r\n--${B}--\r\n`,
    );
    const header = Buffer.from(
      `--${B}\r\nContent-Disposition: form-data; name="bundle"; filename="b"\r\n${'\r\n-'.repeat(170_000)}--${B}--\r\n`,
    );
    const data = Buffer.alloc(16 * 1024 * 1024, `\r\n--${B.slice(0, -1)}`);
    const legit = Buffer.concat([
      Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="bundle"; filename="b.tar.gz"\r\n\r\n`),
      data,
      Buffer.from(`\r\n--${B}--\r\n`),
    ]);
    return [
      ['512 KB of delimiters (took 170 s before busboy)', await timed(delimiters)],
      ['512 KB of CR LF and dashes, never closed', await timed(header)],
      ['16 MB bundle full of near-boundaries', await timed(legit)],
    ];
  },
};
