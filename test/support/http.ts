// Test helpers for the console: start createApp on port 0 and keep a cookie jar like a browser would.
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface Running {
  url: string;
  close(): Promise<void>;
}

export async function listen(app: Express): Promise<Running> {
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A minimal browser: remembers cookies, reads the CSRF token from the last page. */
export class Browser {
  cookies = new Map<string, string>();
  csrf = '';
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = (pair as string).split('=');
      this.cookies.set(k as string, v as string);
    }
    return res;
  }

  async page(path: string): Promise<string> {
    const res = await this.request(path);
    const html = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (m) this.csrf = m[1] as string;
    return html;
  }
}
