// A loopback HTTP(S) server that records every request and answers with a fixed handler: a foreign host in tests.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Recorder {
  /** http(s)://127.0.0.1:<port> */
  url: string;
  /** Requests seen, with the path and the Authorization header. */
  requests: { method: string; path: string; authorization?: string }[];
  close(): Promise<void>;
}

export async function startRecorder(
  answer: (req: http.IncomingMessage, res: http.ServerResponse, self: Recorder) => void,
  opts: { tls?: { key: string | Buffer; cert: string | Buffer } } = {},
): Promise<Recorder> {
  const self: Recorder = { url: '', requests: [], close: async () => {} };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const entry: Recorder['requests'][number] = { method: req.method ?? '', path: req.url ?? '' };
    if (req.headers.authorization) entry.authorization = req.headers.authorization;
    self.requests.push(entry);
    answer(req, res, self);
  };
  const srv = opts.tls ? https.createServer(opts.tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  self.url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  self.close = () =>
    new Promise<void>((resolve) => {
      srv.closeAllConnections();
      srv.close(() => resolve());
    });
  return self;
}
