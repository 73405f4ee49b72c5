// The one HTTP client sources use: whole-request timeout, download size limit, truncation check, TLS pinning, auth.
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { http } from '../node-http.ts';
import type { TlsPin } from './pins.ts';
import { FetchError } from './types.ts';

export type Auth = { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

export interface RequestOptions {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  /** Largest response body accepted; the download stops as soon as it is passed. */
  maxBytes: number;
  /** Pins for `pinHost` (host:port): when set, the pin replaces CA validation for that host. */
  pins?: readonly TlsPin[];
  pinHost?: string;
  /** GET/HEAD only; 0 turns following off. */
  maxRedirects?: number;
}

export interface Response {
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

/** Both pin forms of a certificate, for messages and for telling a technician what to configure. */
export function pinsOf(certDer: Buffer): { spki: string; cert: string } {
  const x = new X509Certificate(certDer);
  const spki = x.publicKey.export({ type: 'spki', format: 'der' });
  return {
    spki: `sha256//${createHash('sha256').update(spki).digest('base64')}`,
    cert: createHash('sha256').update(certDer).digest('hex'),
  };
}

export function pinMatches(certDer: Buffer, pins: readonly TlsPin[]): boolean {
  const x = new X509Certificate(certDer);
  const spki = createHash('sha256')
    .update(x.publicKey.export({ type: 'spki', format: 'der' }))
    .digest();
  const cert = createHash('sha256').update(certDer).digest();
  return pins.some((p) => p.sha256.equals(p.kind === 'spki' ? spki : cert));
}

export function hostKey(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/** Reads OUTPOST_SOURCE_AUTH_FILE: `user:password` (HTTP Basic) or a lone token (Bearer). Read on every fetch, so a rotated Secret is picked up. */
export async function loadAuth(file: string | undefined): Promise<Auth | undefined> {
  if (!file) return undefined;
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw new FetchError(`cannot read the source credentials file ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (text === '') throw new FetchError(`the source credentials file ${file} is empty`);
  const colon = text.indexOf(':');
  if (colon > 0 && !text.includes('\n')) {
    return { kind: 'basic', username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  return { kind: 'bearer', token: text.split('\n')[0] as string };
}

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function describe(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listens there, or the server is down)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found (DNS)';
    case 'ECONNRESET':
      return 'connection reset by the server';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'network unreachable';
    default:
      return err.message;
  }
}

function connectPinned(url: URL, pins: readonly TlsPin[], cb: (err: Error | null, s?: Duplex) => void) {
  // Our own TLS connection so the pin is checked before the request is written; the pin replaces CA trust.
  const socket = tls.connect({
    host: url.hostname,
    port: Number(url.port || 443),
    servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
    rejectUnauthorized: false,
  });
  socket.once('secureConnect', () => {
    const der = socket.getPeerCertificate().raw;
    if (der && pinMatches(der, pins)) return cb(null, socket);
    socket.destroy();
    const got = der ? pinsOf(der).spki : 'no certificate';
    cb(
      new FetchError(
        `${url.origin}: the server's certificate does not match OUTPOST_SOURCE_TLS_PIN (it presents ${got})`,
      ),
    );
  });
  socket.once('error', (err) => cb(err));
  return socket;
}

function once(url: URL, opts: RequestOptions): Promise<Response> {
  return new Promise((resolve, reject) => {
    const label = url.href;
    let settled = false;
    let pinnedSocket: tls.TLSSocket | undefined;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      pinnedSocket?.destroy();
      reject(err instanceof FetchError ? err : new FetchError(`${label}: ${describe(err)}`, { cause: err }));
    };
    const timer = setTimeout(
      () =>
        fail(
          new FetchError(`${label}: no complete answer within ${opts.timeoutMs / 1000} s (timed out)`, {
            // A code like the socket errors' says "the network", not "the server's content", to whoever asks.
            cause: Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }),
          }),
        ),
      opts.timeoutMs,
    );
    const headers: Record<string, string> = { 'user-agent': 'outpost', ...opts.headers };
    if (opts.body) headers['content-length'] = String(opts.body.length);
    const reqOpts: https.RequestOptions = { method: opts.method ?? 'GET', headers };
    const pinned = url.protocol === 'https:' && (opts.pins?.length ?? 0) > 0 && hostKey(url) === opts.pinHost;
    // No agent: one connection per request (polls are minutes apart). Node uses createConnection only without one.
    if (!pinned) reqOpts.agent = false;
    else {
      reqOpts.createConnection = (_o, cb) => {
        pinnedSocket = connectPinned(url, opts.pins ?? [], (err, s) =>
          err ? fail(err) : cb(null, s as Duplex),
        );
        return undefined as unknown as Duplex;
      };
    }
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, reqOpts, (res) => {
      const status = res.statusCode ?? 0;
      const length = res.headers['content-length'] ? Number(res.headers['content-length']) : undefined;
      if (length !== undefined && length > opts.maxBytes && reqOpts.method !== 'HEAD') {
        fail(new FetchError(`${label}: ${length} bytes is over the ${opts.maxBytes}-byte download limit`));
        return;
      }
      const chunks: Buffer[] = [];
      let got = 0;
      res.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got > opts.maxBytes) {
          fail(new FetchError(`${label}: more than ${opts.maxBytes} bytes, over the download limit`));
          return;
        }
        chunks.push(chunk);
      });
      const truncated = () =>
        fail(
          new FetchError(
            `${label}: connection closed after ${got}${length !== undefined ? ` of ${length}` : ''} bytes (truncated download)`,
          ),
        );
      res.on('error', truncated);
      res.on('end', () => {
        if (settled) return;
        if (!res.complete || (length !== undefined && got !== length && reqOpts.method !== 'HEAD')) {
          truncated();
          return;
        }
        settled = true;
        clearTimeout(timer);
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        resolve({
          status,
          statusText: res.statusMessage ?? '',
          headers: h,
          body: Buffer.concat(chunks),
          url: url.href,
        });
      });
    });
    req.on('error', fail);
    req.end(opts.body);
  });
}

/** One HTTP request with the limits above; follows redirects for GET and HEAD, dropping credentials across origins. */
export async function request(url: string, opts: RequestOptions): Promise<Response> {
  let current = new URL(url);
  const headers = { ...opts.headers };
  const method = opts.method ?? 'GET';
  let left = method === 'GET' || method === 'HEAD' ? (opts.maxRedirects ?? 5) : 0;
  for (;;) {
    const res = await once(current, { ...opts, headers });
    const location = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(res.status) || !location || left-- <= 0) return res;
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') return res;
    if (next.origin !== current.origin) delete headers.authorization;
    current = next;
  }
}

/** Sets Authorization for `auth` (basic or bearer) on a header map. */
export function withAuth(headers: Record<string, string>, auth: Auth | undefined): Record<string, string> {
  if (!auth) return headers;
  return {
    ...headers,
    authorization: auth.kind === 'basic' ? basicHeader(auth.username, auth.password) : `Bearer ${auth.token}`,
  };
}
