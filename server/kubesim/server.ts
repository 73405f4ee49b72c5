// HTTP front of the simulator: routing, query options, content negotiation, stats, latency and faults.
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as discovery from './discovery.ts';
import type { Engine, WriteOptions } from './engine.ts';
import {
  ApiError,
  badRequest,
  failureStatus,
  internalError,
  invalidKind,
  methodNotAllowed,
  reasonFor,
  resourceNotFound,
} from './errors.ts';
import { type Faults, parseFaultSpec } from './faults.ts';
import type { ResourceType } from './kinds.ts';
import { type LogFeed, serveFollow } from './logs.ts';
import { managerFromRequest } from './managed.ts';
import { decodeProtobuf, isProtobuf } from './protobuf.ts';
import { podLog, scaleGet, scaleWrite } from './subresources.ts';
import { toTable, wantsTable } from './table.ts';
import { isObject, type JsonObject, obj, sleep } from './util.ts';
import { serveWatch } from './watch.ts';
import { create, parseBody, parseObjectBody, patch, update } from './write.ts';

export interface Stats {
  requests: number;
  writes: number;
  byMethod: Record<string, number>;
  /** GETs of one named object (not lists, watches or discovery). */
  objectGets: number;
  reset(): void;
}

export interface ServerDeps {
  engine: Engine;
  faults: Faults;
  stats: Stats;
  latencyMs: number;
  /** Open watch streams and hung requests, ended when the simulator closes. */
  open: Set<ServerResponse>;
  /** Container output written after start, and its followers. */
  logs: LogFeed;
  /** Milliseconds between BOOKMARK events on watches that allow them. */
  bookmarkMs: number;
}

const MAX_BODY = 3 * 1024 * 1024;

function send(res: ServerResponse, code: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new ApiError(413, 'RequestEntityTooLarge', 'the request is too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function createHandler(deps: ServerDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(deps, req, res).catch((err: unknown) => {
      const e = err instanceof ApiError ? err : internalError((err as Error).message);
      send(res, e.code, e.toStatus());
    });
  };
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the simulated API server's router: one branch per path shape and verb, as kube-apiserver's handler chain.
async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://sim');
  if (url.pathname.startsWith('/_sim/')) return simControl(deps, method, url, req, res);
  const { stats } = deps;
  stats.requests++;
  stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
  const fault = deps.faults.take(method, url.pathname + url.search);
  if (fault?.latencyMs) await sleep(fault.latencyMs);
  if (fault?.hang) {
    deps.open.add(res);
    return;
  }
  if (fault?.dropConnection) {
    req.socket.destroy();
    return;
  }
  if (fault?.status) {
    const code = fault.status;
    const reason = reasonFor(code);
    const message =
      fault.message ??
      (code === 500 ? 'Internal error occurred: injected fault' : `injected fault (${code})`);
    const details =
      code === 500
        ? { causes: [{ message: 'injected fault' }] }
        : code === 429
          ? { retryAfterSeconds: 1 }
          : {};
    if (code === 429) res.setHeader('Retry-After', '1');
    return send(res, code, failureStatus(code, reason, message, details));
  }
  if (deps.latencyMs > 0) await sleep(deps.latencyMs);
  const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? await readBody(req) : Buffer.alloc(0);
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const e = deps.engine;
  const p = url.pathname.replace(/\/+$/, '');
  if (method === 'GET') {
    if (p === '/version') return send(res, 200, discovery.VERSION);
    if (['/healthz', '/readyz', '/livez'].includes(p) || /^\/(healthz|readyz|livez)\/[\w-]+$/.test(p)) {
      return sendText(res, 200, 'ok');
    }
    if (p === '/api') return send(res, 200, discovery.apiVersions());
    if (p === '/apis') return send(res, 200, discovery.groupList(e.kinds));
    if (p === '/openapi/v3') return send(res, 200, discovery.openapiIndex(e.kinds));
    if (p.startsWith('/openapi/v3/')) {
      const gv = parts[2] === 'api' ? ['', parts[3] ?? ''] : [parts[3] ?? '', parts[4] ?? ''];
      const doc = discovery.openapiGroupVersion(e.kinds, gv[0] as string, gv[1] as string);
      if (doc) return send(res, 200, doc);
      throw resourceNotFound();
    }
    if (parts[0] === 'api' && parts.length === 2) {
      const list = discovery.resourceList(e.kinds, '', parts[1] as string);
      if (list) return send(res, 200, list);
      throw resourceNotFound();
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const g = discovery.group(e.kinds, parts[1] as string);
      if (g) return send(res, 200, g);
      throw resourceNotFound();
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const list = discovery.resourceList(e.kinds, parts[1] as string, parts[2] as string);
      if (list) return send(res, 200, list);
      throw resourceNotFound();
    }
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3)
    [group, version, rest] = ['', parts[1] as string, parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 4)
    [group, version, rest] = [parts[1] as string, parts[2] as string, parts.slice(3)];
  else throw resourceNotFound();
  return resource(deps, method, url, req, res, body, group, version, rest);
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one branch per verb on a resource (get, list, watch, create, apply, patch, delete), as the API server.
async function resource(
  deps: ServerDeps,
  method: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
  group: string,
  version: string,
  rest: string[],
): Promise<void> {
  const e = deps.engine;
  let ns: string | undefined;
  let tail = rest;
  const nsSub = rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !nsSub) {
    ns = rest[1];
    tail = rest.slice(2);
  }
  const [plural, name, sub, ...extra] = tail;
  const rt = plural ? e.kinds.lookup(group, version, plural) : undefined;
  if (!rt || extra.length > 0) throw resourceNotFound();
  if (!rt.namespaced && ns !== undefined) throw resourceNotFound();
  if (rt.namespaced && ns === undefined && name !== undefined) throw resourceNotFound();
  if (sub !== undefined && !rt.subresources.includes(sub)) throw resourceNotFound();
  const q = url.searchParams;
  const dryRun = q.getAll('dryRun').includes('All');
  const mutating = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method);
  if (mutating && !dryRun) deps.stats.writes++;
  const opts: WriteOptions = {
    manager: managerFromRequest(q.get('fieldManager'), req.headers['user-agent']),
    dryRun,
  };
  const namespace = ns ?? '';
  const table = wantsTable(req.headers.accept);
  const body = raw.toString('utf8');
  const contentType = req.headers['content-type'] ?? '';
  // kubectl's typed commands (create namespace/configmap/secret) send protobuf.
  const objectBody = () =>
    isProtobuf(contentType) ? decodeProtobuf(raw) : parseObjectBody(body, contentType);

  if (name !== undefined && method === 'GET') deps.stats.objectGets++;
  if (name === undefined) {
    if (method === 'GET') {
      if (q.get('watch') === 'true' || q.get('watch') === '1') {
        return serveWatch(e, rt, ns, q, req, res, deps.open, deps.bookmarkMs);
      }
      const limit = Number(q.get('limit') ?? '0');
      const list = e.list(rt, ns, {
        labelSelector: q.get('labelSelector'),
        fieldSelector: q.get('fieldSelector'),
        limit: Number.isFinite(limit) ? limit : 0,
        continueToken: q.get('continue'),
      });
      const meta: JsonObject = { resourceVersion: list.resourceVersion };
      if (list.continueToken) meta.continue = list.continueToken;
      if (list.remaining !== undefined) meta.remainingItemCount = list.remaining;
      if (table) return send(res, 200, toTable(rt, list.items, meta, q.get('includeObject')));
      return send(res, 200, listBody(rt, list.items, meta));
    }
    if (method === 'POST') {
      const out = create(e, rt, namespace, objectBody(), opts);
      return send(res, 201, out.object);
    }
    if (method === 'DELETE') {
      const del = deleteOptions(body, q);
      const list = e.list(rt, ns, {
        labelSelector: q.get('labelSelector'),
        fieldSelector: q.get('fieldSelector'),
      });
      const gone = list.items.map((o) =>
        e.delete(rt, String(obj(o.metadata).namespace ?? ''), String(obj(o.metadata).name), del),
      );
      return send(res, 200, listBody(rt, gone, { resourceVersion: String(e.store.revision()) }));
    }
    throw methodNotAllowed();
  }

  if (sub === 'log') {
    if (method !== 'GET') throw methodNotAllowed();
    const out = podLog(e.read(rt, namespace, name), q, (c) => deps.logs.written(namespace, name, c));
    if (q.get('follow') !== 'true') return sendText(res, 200, out.text);
    const where = { ns: namespace, pod: name, container: out.container };
    const podKey = e.key(rt);
    return serveFollow(
      deps.logs,
      where,
      out.text,
      Number(q.get('limitBytes') ?? '0'),
      res,
      deps.open,
      (gone) =>
        e.store.subscribe((ev) => {
          const m = obj(ev.object.metadata);
          if (ev.type === 'DELETED' && ev.resource === podKey && m.namespace === namespace && m.name === name)
            gone();
        }),
    );
  }
  if (sub === 'scale') {
    if (method === 'GET') return send(res, 200, scaleGet(e.read(rt, namespace, name)));
    if (method === 'PUT' || method === 'PATCH') {
      return send(
        res,
        200,
        scaleWrite(e, rt, namespace, name, method, req.headers['content-type'] ?? '', body, opts),
      );
    }
    throw methodNotAllowed();
  }
  if (sub === 'status') opts.subresource = 'status';

  switch (method) {
    case 'GET': {
      const o = e.read(rt, namespace, name);
      if (table)
        return send(
          res,
          200,
          toTable(rt, [o], { resourceVersion: obj(o.metadata).resourceVersion }, q.get('includeObject')),
        );
      return send(res, 200, o);
    }
    case 'PUT':
      return send(res, 200, update(e, rt, namespace, name, objectBody(), opts).object);
    case 'PATCH': {
      const ct = req.headers['content-type'] ?? '';
      const isApply = ct.startsWith('application/apply-patch');
      if (isApply && !q.get('fieldManager')) {
        throw invalidKind('PatchOptions.meta.k8s.io', 'meta.k8s.io', 'PatchOptions', '', [
          { type: 'Required', field: 'fieldManager', detail: 'is required for apply patch' },
        ]);
      }
      if (!isApply && q.get('force') !== null) {
        throw invalidKind('PatchOptions.meta.k8s.io', 'meta.k8s.io', 'PatchOptions', '', [
          { type: 'Forbidden', field: 'force', detail: 'may not be specified for non-apply patch' },
        ]);
      }
      opts.force = q.get('force') === 'true';
      const out = patch(e, rt, namespace, name, ct, body, opts);
      return send(res, out.created ? 201 : 200, out.object);
    }
    case 'DELETE': {
      if (sub) throw methodNotAllowed();
      const gone = e.delete(rt, namespace, name, deleteOptions(body, q));
      return send(res, 200, deleteResponse(rt, gone));
    }
    default:
      throw methodNotAllowed();
  }
}

/** List items of built-in kinds carry no apiVersion/kind on the wire; custom resources keep theirs. */
function listBody(rt: ResourceType, items: JsonObject[], meta: JsonObject): JsonObject {
  const apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version;
  const out = rt.crd
    ? items
    : items.map((o) => {
        const { apiVersion: _a, kind: _k, ...rest } = o;
        return rest;
      });
  return { kind: `${rt.kind}List`, apiVersion, metadata: meta, items: out };
}

function deleteOptions(body: string, q: URLSearchParams) {
  let parsed: JsonObject = {};
  if (body.trim()) {
    const b = parseBody(body, 'json');
    if (!isObject(b)) throw badRequest('DeleteOptions must be an object');
    parsed = b;
  }
  const dry = Array.isArray(parsed.dryRun) && parsed.dryRun.includes('All');
  const pre = obj(parsed.preconditions);
  const preconditions: { uid?: string; resourceVersion?: string } = {};
  if (typeof pre.uid === 'string') preconditions.uid = pre.uid;
  if (typeof pre.resourceVersion === 'string') preconditions.resourceVersion = pre.resourceVersion;
  const policy =
    q.get('propagationPolicy') ??
    (typeof parsed.propagationPolicy === 'string' ? parsed.propagationPolicy : undefined);
  return {
    dryRun: dry || q.getAll('dryRun').includes('All'),
    preconditions,
    ...(policy ? { propagationPolicy: policy } : {}),
  };
}

/**
 * Pods and Namespaces come back as objects (they terminate gracefully), as does anything a finalizer holds;
 * everything else as a Status.
 */
function deleteResponse(rt: ResourceType, gone: JsonObject): JsonObject {
  if (!rt.crd && (rt.kind === 'Pod' || rt.kind === 'Namespace')) return gone;
  if (Array.isArray(obj(gone.metadata).finalizers) && (obj(gone.metadata).finalizers as unknown[]).length > 0)
    return gone;
  const meta = obj(gone.metadata);
  const details: JsonObject = { name: meta.name };
  if (rt.group) details.group = rt.group;
  details.kind = rt.plural;
  details.uid = meta.uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

async function simControl(
  deps: ServerDeps,
  method: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
) {
  if (url.pathname === '/_sim/faults') {
    if (method === 'POST') {
      const spec = parseFaultSpec(parseBody((await readBody(req)).toString('utf8'), 'json'));
      return send(res, 201, { id: deps.faults.inject(spec) });
    }
    if (method === 'DELETE') {
      deps.faults.clear(url.searchParams.get('id') ?? undefined);
      return send(res, 200, { cleared: true });
    }
    if (method === 'GET') return send(res, 200, { faults: deps.faults.active() });
  }
  if (url.pathname === '/_sim/compact' && method === 'POST') {
    return send(res, 200, { oldestResourceVersion: String(deps.engine.store.compact()) });
  }
  if (url.pathname === '/_sim/logs' && method === 'POST') {
    const b = obj(parseBody((await readBody(req)).toString('utf8'), 'json'));
    if (typeof b.namespace !== 'string' || typeof b.pod !== 'string' || typeof b.line !== 'string')
      throw badRequest('a log line needs namespace, pod and line (and container for a pod with several)');
    const pod = deps.engine.store.get('/pods', b.namespace, b.pod);
    if (!pod) throw resourceNotFound();
    const container =
      typeof b.container === 'string' ? b.container : podLog(pod, new URLSearchParams()).container;
    deps.logs.write(b.namespace, b.pod, container, b.line);
    return send(res, 201, { written: true });
  }
  if (url.pathname === '/_sim/stats' && method === 'GET') {
    const { requests, writes, byMethod } = deps.stats;
    return send(res, 200, { requests, writes, byMethod });
  }
  if (url.pathname === '/_sim/stats' && method === 'DELETE') {
    deps.stats.reset();
    return send(res, 200, { reset: true });
  }
  throw resourceNotFound();
}
