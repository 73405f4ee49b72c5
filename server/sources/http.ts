// The `http` source: a signed .tar.gz at a URL, polled with If-None-Match / If-Modified-Since (a 304 costs ~0 bytes).
import { createHash } from 'node:crypto';
import { openBundle } from './bundle.ts';
import { hostKey, loadAuth, type RequestOptions, request, withAuth } from './net.ts';
import type { SourceOptions } from './options.ts';
import { answers, defineSource, FetchError, type PollState, type Source } from './types.ts';

interface HttpToken {
  etag?: string;
  lastModified?: string;
  /** sha256 of the last accepted bundle: a server that ignores conditional requests still reads as unchanged. */
  sha256: string;
}

function readToken(prev: PollState | undefined): HttpToken | undefined {
  if (!prev?.token) return undefined;
  try {
    const t = JSON.parse(prev.token) as HttpToken;
    return typeof t.sha256 === 'string' ? t : undefined;
  } catch {
    return undefined; // a token from another source kind: poll as if new
  }
}

/** Where the signature of a bundle URL lives: the same URL with `.minisig` added to the path. */
export function signatureUrl(url: string): string {
  const u = new URL(url);
  u.pathname += '.minisig';
  return u.href;
}

function statusError(url: string, status: number, statusText: string): FetchError {
  const why =
    status === 404
      ? 'not found (404): check OUTPOST_SOURCE_URL'
      : status === 401 || status === 403
        ? `access denied (${status}): check the credentials in OUTPOST_SOURCE_AUTH_FILE`
        : `the server answered ${status} ${statusText}`.trim();
  return new FetchError(`${url}: ${why}`);
}

export function httpSource(url: string, opts: SourceOptions): Source {
  const sigUrl = signatureUrl(url);
  const base: RequestOptions = {
    timeoutMs: opts.limits.timeoutMs,
    maxBytes: opts.limits.maxDownloadBytes,
    pinHost: hostKey(new URL(url)),
  };
  if (opts.pins) base.pins = opts.pins;
  const ACCEPT = 'application/gzip, application/octet-stream, */*';
  return defineSource(
    'http',
    url,
    async (prev) => {
      const token = prev?.full ? undefined : readToken(prev);
      const auth = await loadAuth(opts.authFile);
      const headers: Record<string, string> = { accept: ACCEPT };
      if (token?.etag) headers['if-none-match'] = token.etag;
      if (token?.lastModified) headers['if-modified-since'] = token.lastModified;
      const res = await request(url, { ...base, headers: withAuth(headers, auth) });
      if (res.status === 304 && token) return { unchanged: true, token: prev?.token as string };
      if (res.status !== 200) throw statusError(url, res.status, res.statusText);

      const sha256 = createHash('sha256').update(res.body).digest('hex');
      const next: HttpToken = { sha256 };
      if (res.headers.etag) next.etag = res.headers.etag;
      if (res.headers['last-modified']) next.lastModified = res.headers['last-modified'];
      if (token?.sha256 === sha256) return { unchanged: true, token: JSON.stringify(next) };

      const sigRes = await request(sigUrl, { ...base, maxBytes: 64 * 1024, headers: withAuth({}, auth) });
      let sigText: string | null = null;
      if (sigRes.status === 200) sigText = sigRes.body.toString('utf8');
      else if (sigRes.status !== 404 && sigRes.status !== 410) {
        throw statusError(sigUrl, sigRes.status, sigRes.statusText);
      }
      const fetched = openBundle(url, res.body, sigText, sigUrl, opts);
      fetched.token = JSON.stringify(next);
      return fetched;
    },
    () =>
      // One HEAD: as cheap as the 304 a poll costs, and it says whether the server answers as it should.
      answers(async () => {
        const headers = withAuth({ accept: ACCEPT }, await loadAuth(opts.authFile));
        const res = await request(url, { ...base, maxBytes: 0, method: 'HEAD', headers });
        return res.status === 200 || res.status === 304;
      }),
  );
}
