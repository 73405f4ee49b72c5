// Test helpers for the console: start createApp on port 0 and keep a cookie jar like a browser would.
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { PasswordCost } from '../../server/auth/password.ts';
import { type AccessOptions, type AccessService, createAccessService } from '../../server/auth/service.ts';
import { ROLES, type Role } from '../../server/auth/users.ts';
import type { Db } from '../../server/db/open.ts';
import { silentLog } from './log.ts';

/** scrypt at N=2^10 takes about a millisecond: tests stay fast; production uses N=2^17 (a test checks). */
export const TEST_COST: PasswordCost = { N: 2 ** 10, r: 8, p: 1 };

/** One user per role, named after it, with these passwords. */
export const PASSWORDS: Record<Role, string> = {
  viewer: 'viewer-password-1',
  operator: 'operator-password-1',
  admin: 'admin-password-1',
};

/** An access service on `db` with cheap hashing and the three users `viewer`, `operator` and `admin`. */
export async function testAccess(db: Db, opts: Partial<AccessOptions> = {}): Promise<AccessService> {
  const access = createAccessService({
    db,
    log: silentLog,
    sessionIdleMs: 30 * 60_000,
    sessionMaxMs: 12 * 3_600_000,
    cost: TEST_COST,
    ...opts,
  });
  const existing = new Set(access.users.list().map((u) => u.name));
  for (const role of ROLES) {
    if (!existing.has(role))
      await access.users.add({ name: role, role, password: PASSWORDS[role] }, { name: 'test' });
  }
  return access;
}

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

  /** A form post with this browser's CSRF token, as the page's own forms send it. */
  post(
    path: string,
    fields: Record<string, string> = {},
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ _csrf: this.csrf, ...fields }).toString(),
    });
  }

  /** Signs in through the login form (one of the testAccess users by default); throws unless it worked. */
  async login(name: Role | string = 'admin', password = PASSWORDS[name as Role]): Promise<this> {
    await this.page('/login');
    const res = await this.post('/login', { username: name, password: password ?? '' });
    if (res.status !== 303) throw new Error(`sign-in as ${name} failed: ${res.status} ${await res.text()}`);
    // The CSRF token is bound to the session: fetch a page to pick up the new one.
    await this.page('/');
    return this;
  }
}

/** The whole body of a response from node:http's `request`, as text (tests that must send exact bytes use it). */
export function bodyText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      text += c;
    });
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
}
