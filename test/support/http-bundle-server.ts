// An HTTP server for bundle tests: serves files with ETag/Last-Modified and 304s, and misbehaves on request.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedFile {
  body: Buffer;
  etag: string;
  lastModified: string;
}

export interface RequestLog {
  method: string;
  path: string;
  status: number;
  headers: http.IncomingHttpHeaders;
}

/** How the next requests are answered: a status, a delay before answering, or half a body and a hang-up. */
export interface Misbehaviour {
  status?: number;
  delayMs?: number;
  truncate?: boolean;
  /** Ignore If-None-Match / If-Modified-Since (always answer 200). */
  ignoreConditional?: boolean;
}

export interface BundleServer {
  base: string;
  url(name: string): string;
  put(name: string, body: Buffer | string): void;
  remove(name: string): void;
  requests: RequestLog[];
  misbehave: Misbehaviour;
  close(): Promise<void>;
}

export async function startBundleServer(): Promise<BundleServer> {
  const files = new Map<string, ServedFile>();
  const requests: RequestLog[] = [];
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const state: { misbehave: Misbehaviour } = { misbehave: {} };
  const srv = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
    const log: RequestLog = { method: req.method ?? '', path: `/${name}`, status: 0, headers: req.headers };
    requests.push(log);
    const m = state.misbehave;
    const answer = () => {
      if (m.status) {
        log.status = m.status;
        res.writeHead(m.status).end('injected failure');
        return;
      }
      const f = files.get(name);
      if (!f) {
        log.status = 404;
        res.writeHead(404).end('not found');
        return;
      }
      const headers = { ETag: f.etag, 'Last-Modified': f.lastModified, 'Content-Type': 'application/gzip' };
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      const fresh =
        (inm !== undefined && inm === f.etag) ||
        (inm === undefined && ims !== undefined && Date.parse(ims) >= Date.parse(f.lastModified));
      if (fresh && !m.ignoreConditional) {
        log.status = 304;
        res.writeHead(304, headers).end();
        return;
      }
      log.status = 200;
      res.writeHead(200, { ...headers, 'Content-Length': f.body.length });
      if (m.truncate) {
        res.write(f.body.subarray(0, Math.floor(f.body.length / 2)));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.end(f.body);
    };
    if (m.delayMs) setTimeout(answer, m.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    url: (name) => `${base}/${name}`,
    put(name, body) {
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
      clock += 60_000; // every change is a minute later, so If-Modified-Since can tell them apart
      files.set(name, {
        body: buf,
        etag: `"${createHash('sha256').update(buf).digest('hex').slice(0, 16)}"`,
        lastModified: new Date(clock).toUTCString(),
      });
    },
    remove: (name) => {
      files.delete(name);
    },
    requests,
    get misbehave() {
      return state.misbehave;
    },
    set misbehave(v: Misbehaviour) {
      state.misbehave = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        srv.closeAllConnections();
        srv.close(() => resolve());
      }),
  };
}
