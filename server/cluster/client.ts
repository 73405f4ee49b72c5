// The narrow Kubernetes client: plain REST over node:http(s) for the few verbs Outpost needs.
import http from 'node:http';
import https from 'node:https';
import { authorization, type Credentials } from './credentials.ts';
import { DEFAULT_RETRY, withRetry } from './retry.ts';
import type {
  ApplyOptions,
  ClusterClient,
  KubeObject,
  ListOptions,
  LogOptions,
  ObjectRef,
  ResourceInfo,
} from './types.ts';
import { refString } from './types.ts';

/** An API answer that was not a success, or no answer at all (status 0). */
export class ClusterError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(message: string, status: number, reason: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClusterError';
    this.status = status;
    this.reason = reason;
  }
}

interface Response {
  status: number;
  body: unknown;
  retryAfter?: string;
}

interface APIResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

const REQUEST_TIMEOUT_MS = 30_000;

function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

function statusMessage(body: unknown, fallback: string): { message: string; reason: string } {
  if (body && typeof body === 'object' && (body as { kind?: string }).kind === 'Status') {
    const s = body as { message?: string; reason?: string };
    return { message: s.message ?? fallback, reason: s.reason ?? 'Unknown' };
  }
  return { message: fallback, reason: 'Unknown' };
}

/** Objects per LIST page. */
export const LIST_PAGE = 250;

export function createClusterClient(creds: Credentials): ClusterClient {
  const server = creds.server;
  const tls = server.startsWith('https:');
  // One keep-alive agent: a sync of 2,000 objects must not open 6,000 connections.
  const agent = tls
    ? new https.Agent({
        keepAlive: true,
        maxSockets: 8,
        ...(creds.ca ? { ca: creds.ca } : {}),
        ...(creds.cert ? { cert: creds.cert } : {}),
        ...(creds.key ? { key: creds.key } : {}),
        ...(creds.servername ? { servername: creds.servername } : {}),
        rejectUnauthorized: !creds.insecure,
      })
    : new http.Agent({ keepAlive: true, maxSockets: 8 });
  const discovery = new Map<string, Promise<APIResource[]>>();
  // Log streams may stay open for minutes (follow): they get their own sockets, never the pooled ones.
  const streamAgent = tls
    ? new https.Agent({
        keepAlive: false,
        ...(creds.ca ? { ca: creds.ca } : {}),
        ...(creds.cert ? { cert: creds.cert } : {}),
        ...(creds.key ? { key: creds.key } : {}),
        ...(creds.servername ? { servername: creds.servername } : {}),
        rejectUnauthorized: !creds.insecure,
      })
    : new http.Agent({ keepAlive: false });

  /** A GET whose 200 body is handed over as a stream; any other answer is read and thrown as ClusterError. */
  function openStream(path: string, what: string, idleTimeoutMs: number): Promise<http.IncomingMessage> {
    const url = new URL(server + path);
    const headers: Record<string, string> = { accept: '*/*' };
    const auth = authorization(creds);
    if (auth) headers.authorization = auth;
    return new Promise((resolve, reject) => {
      const req = (tls ? https : http).request(url, { method: 'GET', headers, agent: streamAgent }, (res) => {
        if (res.statusCode === 200) {
          resolve(res);
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Plain-text error bodies are used as they are.
          }
          const { message, reason } = statusMessage(body, text || `HTTP ${res.statusCode}`);
          reject(new ClusterError(`${what}: ${message}`, res.statusCode ?? 0, reason));
        });
      });
      if (idleTimeoutMs > 0)
        req.setTimeout(idleTimeoutMs, () =>
          req.destroy(new Error(`no data within ${idleTimeoutMs / 1000}s`)),
        );
      req.on('error', (err) =>
        reject(
          new ClusterError(`Kubernetes API ${server} unreachable: ${err.message}`, 0, 'Unreachable', {
            cause: err,
          }),
        ),
      );
      req.end();
    });
  }

  function send(method: string, url: URL, headers: Record<string, string | number>, payload?: Buffer) {
    return new Promise<Response>((resolve, reject) => {
      const req = (tls ? https : http).request(
        url,
        { method, headers, agent, timeout: REQUEST_TIMEOUT_MS },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) =>
            reject(
              new ClusterError(`${method} ${url.pathname}: ${err.message}`, 0, 'ConnectionLost', {
                cause: err,
              }),
            ),
          );
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // Non-JSON bodies (proxies, HTML error pages) are kept as text for the message.
            }
            const retryAfter = res.headers['retry-after'];
            resolve({ status: res.statusCode ?? 0, body: parsed, ...(retryAfter ? { retryAfter } : {}) });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000}s`)));
      req.on('error', (err) => {
        const e = new ClusterError(`Kubernetes API ${server} unreachable: ${err.message}`, 0, 'Unreachable', {
          cause: err,
        });
        // A kept-alive socket the server closed meanwhile: the request never reached it, so it is safe to resend.
        reject(
          Object.assign(e, {
            stale: req.reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET',
          }),
        );
      });
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** One request as a function that sends it once (a kept-alive socket the server closed is resent). */
  function attempt(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    accept = 'application/json',
  ): () => Promise<Response> {
    const url = new URL(server + path);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { accept };
    const auth = authorization(creds);
    if (auth) headers.authorization = auth;
    if (payload) {
      headers['content-type'] = contentType;
      headers['content-length'] = payload.length;
    }
    return async () => {
      try {
        return await send(method, url, headers, payload);
      } catch (err) {
        if ((err as { stale?: boolean }).stale) return send(method, url, headers, payload);
        throw err;
      }
    };
  }

  function request(...args: Parameters<typeof attempt>): Promise<Response> {
    // Every verb sent here is idempotent (GET, server-side apply of the same body, DELETE where a second
    // answer of 404 means done), so a transient failure is asked again here, in one place, before any
    // stage fails on it: one 503 must not roll a good revision back.
    return withRetry(DEFAULT_RETRY, attempt(...args), (o) =>
      'error' in o
        ? { status: (o.error as { status?: number }).status ?? -1, retryAfter: undefined }
        : { status: o.value.status, retryAfter: o.value.retryAfter },
    );
  }

  function fail(what: string, res: Response): never {
    const { message, reason } = statusMessage(res.body, `HTTP ${res.status}`);
    throw new ClusterError(`${what}: ${message}`, res.status, reason);
  }

  /** A collection's path, in one namespace when given and the kind is namespaced. */
  async function collectionPath(apiVersion: string, kind: string, namespace: string | undefined) {
    const info = await resource(apiVersion, kind);
    let p = groupVersionPath(apiVersion);
    if (info.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    return `${p}/${info.plural}`;
  }

  /**
   * Every page of a collection, `take` picking what is kept from each. Pages keep each response small: parsing
   * thousands of objects in one piece stalls the console. An expired continue token starts the list again.
   */
  async function paged<T>(
    what: string,
    p: string,
    query: Record<string, string>,
    take: (body: Record<string, unknown>) => T[],
    accept?: string,
  ): Promise<T[]> {
    const items: T[] = [];
    let next: string | null = null;
    for (let restarts = 0; ; ) {
      const q = new URLSearchParams({ ...query, limit: String(LIST_PAGE) });
      if (next) q.set('continue', next);
      const res = await request('GET', `${p}?${q}`, undefined, undefined, accept);
      if (res.status === 410 && next && restarts++ < 2) {
        // The continue token expired (the server compacted): start the list again.
        items.length = 0;
        next = null;
        continue;
      }
      if (res.status !== 200) fail(what, res);
      const body = res.body as Record<string, unknown> & { metadata?: { continue?: string } };
      items.push(...take(body));
      next = body.metadata?.continue || null;
      if (!next) return items;
    }
  }

  function loadGroupVersion(apiVersion: string): Promise<APIResource[]> {
    let p = discovery.get(apiVersion);
    if (!p) {
      p = request('GET', groupVersionPath(apiVersion)).then((res) => {
        if (res.status === 404) return [];
        if (res.status !== 200) fail(`discovery of ${apiVersion}`, res);
        return ((res.body as { resources?: APIResource[] }).resources ?? []).filter(
          (r) => !r.name.includes('/'),
        );
      });
      // A failed discovery must not stay cached: the next call asks again.
      p.catch(() => discovery.delete(apiVersion));
      discovery.set(apiVersion, p);
    }
    return p;
  }

  async function resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let found = (await loadGroupVersion(apiVersion)).find((r) => r.kind === kind);
    if (!found) {
      // The kind may have appeared since (a CRD applied a moment ago): ask once more.
      discovery.delete(apiVersion);
      found = (await loadGroupVersion(apiVersion)).find((r) => r.kind === kind);
    }
    if (!found) {
      throw new ClusterError(`the cluster does not know kind ${kind} in ${apiVersion}`, 404, 'NotFound');
    }
    return { apiVersion, kind, plural: found.name, namespaced: found.namespaced };
  }

  async function objectPath(ref: ObjectRef, withName = true): Promise<string> {
    const info = await resource(ref.apiVersion, ref.kind);
    let p = groupVersionPath(ref.apiVersion);
    if (info.namespaced) {
      if (!ref.namespace) throw new ClusterError(`${refString(ref)}: namespace required`, 422, 'Invalid');
      p += `/namespaces/${encodeURIComponent(ref.namespace)}`;
    }
    p += `/${info.plural}`;
    if (withName) p += `/${encodeURIComponent(ref.name)}`;
    return p;
  }

  return {
    server,
    async ping() {
      // A liveness check wants a quick answer, not the retries a stage gets.
      const res = await attempt('GET', '/version')();
      if (res.status !== 200) fail(`Kubernetes API ${server}`, res);
    },
    resource,
    invalidateDiscovery() {
      discovery.clear();
    },
    async get(ref) {
      const res = await request('GET', await objectPath(ref));
      if (res.status === 404) return null;
      if (res.status !== 200) fail(refString(ref), res);
      return res.body as KubeObject;
    },
    async list(apiVersion, kind, opts: ListOptions = {}) {
      const p = await collectionPath(apiVersion, kind, opts.namespace);
      const query: Record<string, string> = opts.labelSelector ? { labelSelector: opts.labelSelector } : {};
      return paged(`list ${apiVersion} ${kind}`, p, query, (body) => {
        const items = (body.items ?? []) as KubeObject[];
        // Items of a list carry no apiVersion/kind on a real server; put them back for callers.
        for (const item of items) {
          item.apiVersion = apiVersion;
          item.kind = kind;
        }
        return items;
      });
    },
    async names(apiVersion, kind, opts: ListOptions = {}) {
      const p = await collectionPath(apiVersion, kind, opts.namespace);
      const query: Record<string, string> = { includeObject: 'None' };
      if (opts.labelSelector) query.labelSelector = opts.labelSelector;
      // Server-side printing (what `kubectl get` uses) without the objects: a name cell per row, a few bytes each.
      return paged(
        `list ${apiVersion} ${kind}`,
        p,
        query,
        (body) => {
          const table = body as { columnDefinitions?: { format?: string }[]; rows?: { cells?: unknown[] }[] };
          const at = (table.columnDefinitions ?? []).findIndex((c) => c.format === 'name');
          if (at < 0)
            throw new ClusterError(`list ${apiVersion} ${kind}: the table has no name column`, 0, 'Invalid');
          return (table.rows ?? []).map((r) => String(r.cells?.[at] ?? ''));
        },
        'application/json;as=Table;v=v1;g=meta.k8s.io',
      );
    },
    async apply(obj: KubeObject, opts: ApplyOptions) {
      const ref: ObjectRef = {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      };
      const q = new URLSearchParams({ fieldManager: opts.fieldManager });
      if (opts.force) q.set('force', 'true');
      if (opts.dryRun) q.set('dryRun', 'All');
      const res = await request(
        'PATCH',
        `${await objectPath(ref)}?${q}`,
        obj,
        'application/apply-patch+yaml',
      );
      if (res.status !== 200 && res.status !== 201) fail(refString(ref), res);
      return res.body as KubeObject;
    },
    async logs(pod, opts: LogOptions = {}) {
      const q = new URLSearchParams();
      if (opts.container) q.set('container', opts.container);
      if (opts.tailLines !== undefined) q.set('tailLines', String(opts.tailLines));
      if (opts.follow) q.set('follow', 'true');
      if (opts.limitBytes !== undefined) q.set('limitBytes', String(opts.limitBytes));
      if (opts.sinceSeconds !== undefined) q.set('sinceSeconds', String(opts.sinceSeconds));
      if (opts.timestamps) q.set('timestamps', 'true');
      const p = `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/log`;
      const qs = q.toString();
      // A followed log may be quiet for long stretches; a plain read must not hang.
      return openStream(
        qs ? `${p}?${qs}` : p,
        `log of pod ${pod.namespace}/${pod.name}`,
        opts.follow ? 0 : REQUEST_TIMEOUT_MS,
      );
    },
    close() {
      agent.destroy();
      streamAgent.destroy();
    },
    async delete(ref) {
      const res = await request('DELETE', await objectPath(ref), {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        propagationPolicy: 'Background',
      });
      if (res.status === 404) return false;
      if (res.status !== 200 && res.status !== 202) fail(refString(ref), res);
      return true;
    },
  };
}
