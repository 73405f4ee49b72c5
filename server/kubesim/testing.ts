// A tiny JSON client for the simulator's own tests and demo scripts: raw status codes and bodies, no retries.
import { setTimeout as sleep } from 'node:timers/promises';

export interface SimResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary Kubernetes JSON.
  body: any;
  headers: Headers;
}

export interface SimClient {
  req(method: string, path: string, body?: unknown, contentType?: string): Promise<SimResponse>;
  get(path: string): Promise<SimResponse>;
  post(path: string, body: unknown): Promise<SimResponse>;
  put(path: string, body: unknown): Promise<SimResponse>;
  del(path: string, body?: unknown): Promise<SimResponse>;
  /** Server-side apply of `body` as `manager`. */
  apply(path: string, body: unknown, manager: string, extra?: string): Promise<SimResponse>;
}

export function simClient(base: string): SimClient {
  const req = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const init: RequestInit = { method, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { ...init.headers, 'content-type': contentType };
    }
    const res = await fetch(base + path, init);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // plain text bodies (logs, healthz) stay strings
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    req,
    get: (path) => req('GET', path),
    post: (path, body) => req('POST', path, body),
    put: (path, body) => req('PUT', path, body),
    del: (path, body) => req('DELETE', path, body),
    apply: (path, body, manager, extra = '') =>
      req(
        'PATCH',
        `${path}?fieldManager=${encodeURIComponent(manager)}${extra}`,
        body,
        'application/apply-patch+yaml',
      ),
  };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 5000,
  what = 'condition',
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
