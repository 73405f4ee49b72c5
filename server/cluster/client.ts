// The narrow Kubernetes client, on @kubernetes/client-node: KubernetesObjectApi for apply/get/list/delete and
// discovery, Log for pod logs; our typed errors and our retry on top.
import { AsyncLocalStorage } from 'node:async_hooks';
import { type Readable, Transform } from 'node:stream';
import { requestLibrary } from './http.ts';
import {
  type ClusterTarget,
  closeConnections,
  type KubeConfig,
  loadKubeConfig,
  serverOf,
} from './kubeconfig.ts';
import { logModule, objectModule, serializerModule } from './library.ts';
import { DEFAULT_RETRY, withRetry } from './retry.ts';
import type {
  ApplyOptions,
  ClusterClient,
  KubeObject,
  ListOptions,
  LogOptions,
  ObjectMeta,
  ObjectRef,
  ObjectVersion,
  ResourceInfo,
} from './types.ts';
import { refString } from './types.ts';

/** An API answer that was not a success, or no answer at all (status 0). */
export class ClusterError extends Error {
  readonly status: number;
  readonly reason: string;
  /** Retry-After of the answer, when it had one (the retry honours it). */
  readonly retryAfter: string | undefined;
  constructor(
    message: string,
    status: number,
    reason: string,
    options?: { cause?: unknown; retryAfter?: string | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClusterError';
    this.status = status;
    this.reason = reason;
    this.retryAfter = options?.retryAfter;
  }
}

const REQUEST_TIMEOUT_MS = 30_000;

/** Objects per LIST page: parsing thousands of objects in one piece stalls the console. */
export const LIST_PAGE = 250;

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** The library's error (ApiException: code, body as text, headers) or a transport failure, as a ClusterError. */
function toClusterError(err: unknown, what: string, server: string): ClusterError {
  if (err instanceof ClusterError) return err;
  const e = err as { code?: unknown; body?: unknown; headers?: Record<string, string>; name?: string };
  if (typeof e?.code === 'number' && e.code > 0) {
    let body: unknown = e.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // Plain-text error bodies (proxies, the log endpoint) are used as they are.
      }
    }
    const status = body && typeof body === 'object' ? (body as { message?: string; reason?: string }) : {};
    const text = typeof body === 'string' && body ? body.slice(0, 500) : `HTTP ${e.code}`;
    return new ClusterError(`${what}: ${status.message ?? text}`, e.code, status.reason ?? 'Unknown', {
      cause: err,
      retryAfter: e.headers?.['retry-after'],
    });
  }
  const detail =
    e?.name === 'TimeoutError'
      ? `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`
      : ((err as { cause?: Error }).cause?.message ?? (err as Error)?.message ?? String(err));
  return new ClusterError(`${what}: Kubernetes API ${server} unreachable: ${detail}`, 0, 'Unreachable', {
    cause: err,
  });
}

/** The library's modules the client needs, loaded once per client (library.ts keeps the typed APIs out). */
async function loadLibrary() {
  const [{ KubernetesObjectApi }, { ObjectSerializer }, { Log }, middleware, http, patch] = await Promise.all(
    [
      objectModule(),
      serializerModule(),
      logModule(),
      import('@kubernetes/client-node/dist/gen/middleware.js'),
      import('@kubernetes/client-node/dist/gen/http/http.js'),
      import('@kubernetes/client-node/dist/patch.js'),
    ],
  );
  return {
    KubernetesObjectApi,
    ObjectSerializer,
    Log,
    PromiseMiddlewareWrapper: middleware.PromiseMiddlewareWrapper,
    HttpMethod: http.HttpMethod,
    httpApi: requestLibrary(http),
    PatchStrategy: patch.PatchStrategy,
  };
}
type Library = Awaited<ReturnType<typeof loadLibrary>>;

/** KubernetesObjectApi plus what it keeps protected: a request of our own, forgetting discovery, a deadline. */
function objectApi(kc: KubeConfig, lib: Library, deadline: AsyncLocalStorage<AbortSignal>) {
  class ObjectApi extends lib.KubernetesObjectApi {
    /** A GET through the library (auth, TLS, middleware) with our Accept header, answered as plain JSON. */
    getAs(path: string, accept: string): Promise<Record<string, unknown>> {
      const ctx = this.configuration.baseServer.makeRequestContext(path, lib.HttpMethod.GET);
      ctx.setHeaderParam('Accept', accept);
      return this.requestPromise(ctx) as unknown as Promise<Record<string, unknown>>;
    }
    discovery(apiVersion: string, kind: string) {
      return this.resource(apiVersion, kind);
    }
    forgetDiscovery() {
      this.apiVersionResourceCache = {};
    }
    /** Requests go out through node:http(s) (http.ts), not the library's fetch(). */
    overRequest(): this {
      (this.configuration as { httpApi: unknown }).httpApi = lib.httpApi;
      return this;
    }
    /** Requests sent inside `deadline.run(signal, ...)` carry that signal (see caller()). */
    withDeadline(): this {
      this.configuration.middleware.push(
        new lib.PromiseMiddlewareWrapper({
          pre: async (ctx) => {
            const signal = deadline.getStore();
            if (signal) ctx.setSignal(signal);
            return ctx;
          },
          post: async (res) => res,
        }),
      );
      return this;
    }
  }
  return kc.makeApiClient(ObjectApi).overRequest().withDeadline();
}
type ObjectApi = ReturnType<typeof objectApi>;

/**
 * The library deserializes built-in kinds into its model classes (timestamps become Dates, unknown fields
 * dropped, and it costs CPU on every object). Outpost handles plain JSON objects of any kind: the library's
 * registry of per-kind serializers takes a pass-through one for each kind we touch (and its List).
 */
function passThroughRegistry(lib: Library): (apiVersion: string, kind: string) => void {
  const raw = { serialize: (d: unknown) => d, deserialize: (d: unknown) => d };
  const registered = new Set<string>();
  const passThrough = (apiVersion: string, kind: string): void => {
    const key = `${apiVersion} ${kind}`;
    if (registered.has(key)) return;
    registered.add(key);
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    for (const k of [kind, `${kind}List`]) {
      try {
        lib.ObjectSerializer.registerModel({ group: group ?? '', version: version ?? '', kind: k }, raw);
      } catch {
        // Registered by another client in this process: the registry is the library's, process-wide.
      }
    }
  };
  passThrough('v1', 'Status');
  passThrough('meta.k8s.io/v1', 'Table');
  passThrough('meta.k8s.io/v1', 'PartialObjectMetadata');
  return passThrough;
}

type Call = <T>(what: string, fn: () => Promise<T>, retry?: boolean) => Promise<T>;

/**
 * Every verb sent through the returned `call` is idempotent (GET, server-side apply of the same body, DELETE
 * where a second answer of 404 means done), so a transient failure is asked again here, in one place, before any
 * stage fails on it: one 503 must not roll a good revision back.
 */
function caller(server: string, deadline: AsyncLocalStorage<AbortSignal>): Call {
  return function call<T>(what: string, fn: () => Promise<T>, retry = true): Promise<T> {
    const once = async () => {
      // A hung API server must fail a request, not hang a stage or a page. The deadline ends with the request
      // (AbortSignal.timeout would keep each request's state alive for the full 30 s after it answered).
      const abort = new AbortController();
      const timer = setTimeout(
        () => abort.abort(new DOMException(`no answer within ${REQUEST_TIMEOUT_MS / 1000}s`, 'TimeoutError')),
        REQUEST_TIMEOUT_MS,
      );
      try {
        return await deadline.run(abort.signal, fn);
      } catch (err) {
        throw toClusterError(err, what, server);
      } finally {
        clearTimeout(timer);
      }
    };
    if (!retry) return once();
    return withRetry(DEFAULT_RETRY, once, (o) =>
      'error' in o
        ? { status: (o.error as ClusterError).status ?? -1, retryAfter: (o.error as ClusterError).retryAfter }
        : { status: 200, retryAfter: undefined },
    );
  };
}

/** What the verbs share: the API, its calls, discovery and the serializer registry. */
interface Parts {
  api: ObjectApi;
  call: Call;
  resource(apiVersion: string, kind: string): Promise<ResourceInfo>;
  passThrough(apiVersion: string, kind: string): void;
}

/** Discovery, one request per kind even when many objects ask at once; a failure is not remembered. */
function discovery(api: ObjectApi, call: Call) {
  const unknownKind = (apiVersion: string, kind: string, cause?: unknown) =>
    new ClusterError(
      `the cluster does not know kind ${kind} in ${apiVersion}`,
      404,
      'NotFound',
      cause === undefined ? undefined : { cause },
    );
  const resources = new Map<string, Promise<ResourceInfo>>();
  function resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const key = `${apiVersion} ${kind}`;
    let p = resources.get(key);
    if (!p) {
      p = call(`discovery of ${apiVersion}`, () => api.discovery(apiVersion, kind)).then(
        (found) => {
          if (!found) throw unknownKind(apiVersion, kind);
          return { apiVersion, kind, plural: found.name, namespaced: found.namespaced };
        },
        (err: ClusterError) => {
          throw err.status === 404 ? unknownKind(apiVersion, kind, err) : err;
        },
      );
      // A failed discovery must not stay cached: the next call asks again (a CRD applied a moment ago).
      p.catch(() => resources.delete(key));
      resources.set(key, p);
    }
    return p;
  }
  function invalidate(): void {
    resources.clear();
    api.forgetDiscovery();
  }
  return { resource, invalidate };
}

/** Discovery first (our message for an unknown kind), then the namespace rule the library would paper over. */
async function prepare(parts: Parts, ref: ObjectRef): Promise<ResourceInfo> {
  const info = await parts.resource(ref.apiVersion, ref.kind);
  if (info.namespaced && !ref.namespace)
    throw new ClusterError(`${refString(ref)}: namespace required`, 422, 'Invalid');
  parts.passThrough(ref.apiVersion, ref.kind);
  return info;
}

/** The apiVersion/kind/metadata an object call of the library takes to name its object. */
function header(ref: ObjectRef) {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
  };
}

/** Every page of a collection, `page` fetching one; an expired continue token starts the list again. */
async function paged<T>(
  call: Call,
  what: string,
  page: (next: string | undefined) => Promise<{ items: T[]; next: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined;
  for (let restarts = 0; ; ) {
    let got: { items: T[]; next: string | undefined };
    try {
      got = await call(what, () => page(next));
    } catch (err) {
      if ((err as ClusterError).status === 410 && next && restarts++ < 2) {
        // The continue token expired (the server compacted): start the list again.
        items.length = 0;
        next = undefined;
        continue;
      }
      throw err;
    }
    items.push(...got.items);
    next = got.next || undefined;
    if (!next) return items;
  }
}

/** A collection as server-side Table rows (what `kubectl get` uses), page by page. */
async function pagedAs<T>(
  parts: Parts,
  apiVersion: string,
  kind: string,
  opts: ListOptions,
  includeObject: 'None' | 'Metadata',
  take: (body: Record<string, unknown>) => T[],
): Promise<T[]> {
  const info = await parts.resource(apiVersion, kind);
  let p = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  if (info.namespaced && opts.namespace) p += `/namespaces/${encodeURIComponent(opts.namespace)}`;
  p += `/${info.plural}`;
  return paged(parts.call, `list ${apiVersion} ${kind}`, async (next) => {
    const q = new URLSearchParams({ includeObject, limit: String(LIST_PAGE) });
    if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
    if (next) q.set('continue', next);
    const body = await parts.api.getAs(`${p}?${q}`, TABLE);
    return { items: take(body), next: (body.metadata as { continue?: string } | undefined)?.continue };
  });
}

/** The name cell of each row of a server-side Table. */
function tableNames(what: string, body: Record<string, unknown>): string[] {
  const table = body as { columnDefinitions?: { format?: string }[]; rows?: { cells?: unknown[] }[] };
  const at = (table.columnDefinitions ?? []).findIndex((c) => c.format === 'name');
  if (at < 0) throw new ClusterError(`${what}: the table has no name column`, 0, 'Invalid');
  return (table.rows ?? []).map((r) => String(r.cells?.[at] ?? ''));
}

/** The object metadata of each row of a server-side Table (includeObject=Metadata). */
function tableVersions(body: Record<string, unknown>): ObjectVersion[] {
  return ((body.rows ?? []) as { object?: { metadata?: ObjectMeta } }[]).map((row) => {
    const m = row.object?.metadata ?? ({} as Partial<ObjectMeta>);
    const v: ObjectVersion = { name: String(m.name ?? ''), resourceVersion: String(m.resourceVersion ?? '') };
    if (typeof m.namespace === 'string') v.namespace = m.namespace;
    if (typeof m.generation === 'number') v.generation = m.generation;
    if (typeof m.uid === 'string') v.uid = m.uid;
    if (m.labels) v.labels = m.labels;
    if (m.annotations) v.annotations = m.annotations;
    if (Array.isArray(m.managedFields)) v.managedFields = m.managedFields;
    return v;
  });
}

/** The read verbs: one object, whole objects of a kind, or only their names or versions. */
function reads(parts: Parts): Pick<ClusterClient, 'get' | 'list' | 'names' | 'versions'> {
  const { api, call } = parts;
  return {
    async get(ref) {
      await prepare(parts, ref);
      try {
        return (await call(refString(ref), () => api.read(header(ref)))) as unknown as KubeObject;
      } catch (err) {
        if ((err as ClusterError).status === 404) return null;
        throw err;
      }
    },
    async list(apiVersion, kind, opts: ListOptions = {}) {
      const info = await parts.resource(apiVersion, kind);
      parts.passThrough(apiVersion, kind);
      const namespace = info.namespaced ? opts.namespace : undefined;
      return paged(call, `list ${apiVersion} ${kind}`, async (next) => {
        const body = await api.list(
          apiVersion,
          kind,
          namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          opts.labelSelector,
          LIST_PAGE,
          next,
        );
        const items = (body.items ?? []) as unknown as KubeObject[];
        // Items of a list carry no apiVersion/kind on a real server; put them back for callers.
        for (const item of items) {
          item.apiVersion = apiVersion;
          item.kind = kind;
        }
        return {
          items,
          next: body.metadata?._continue ?? (body.metadata as { continue?: string })?.continue,
        };
      });
    },
    names(apiVersion, kind, opts: ListOptions = {}) {
      // Server-side printing (what `kubectl get` uses) without the objects: a name cell per row, a few bytes each.
      return pagedAs(parts, apiVersion, kind, opts, 'None', (body) =>
        tableNames(`list ${apiVersion} ${kind}`, body),
      );
    },
    versions(apiVersion, kind, opts: ListOptions = {}) {
      // Rows with only each object's metadata (kubectl's own way): what a no-change resync compares.
      return pagedAs(parts, apiVersion, kind, opts, 'Metadata', tableVersions);
    },
  };
}

/** The write verbs: server-side apply and background delete. */
function writes(parts: Parts, lib: Library): Pick<ClusterClient, 'apply' | 'delete'> {
  const { api, call } = parts;
  return {
    async apply(obj: KubeObject, opts: ApplyOptions) {
      const ref: ObjectRef = {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      };
      await prepare(parts, ref);
      return (await call(refString(ref), () =>
        api.patch(
          obj as never,
          undefined,
          opts.dryRun ? 'All' : undefined,
          opts.fieldManager,
          opts.force ? true : undefined,
          lib.PatchStrategy.ServerSideApply,
        ),
      )) as unknown as KubeObject;
    },
    async delete(ref) {
      await prepare(parts, ref);
      try {
        await call(refString(ref), () =>
          api.delete(header(ref), undefined, undefined, undefined, undefined, 'Background'),
        );
        return true;
      } catch (err) {
        if ((err as ClusterError).status === 404) return false;
        throw err;
      }
    },
  };
}

/** The container a log is read from when none is named: kubectl's default-container annotation, else the first. */
async function defaultContainer(get: ClusterClient['get'], pod: { namespace: string; name: string }) {
  const ref = { apiVersion: 'v1', kind: 'Pod', ...pod };
  const obj = await get(ref);
  if (!obj) throw new ClusterError(`${refString(ref)}: not found`, 404, 'NotFound');
  const named = obj.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  const first = (obj.spec as { containers?: { name?: string }[] } | undefined)?.containers?.[0]?.name;
  const container = named ?? first;
  if (!container) throw new ClusterError(`${refString(ref)}: has no containers`, 400, 'BadRequest');
  return container;
}

/** Pod logs through the library's `Log`: a plain read (ended by an idle timeout) or a followed one. */
function logs(kc: KubeConfig, lib: Library, parts: Parts, get: ClusterClient['get']): ClusterClient['logs'] {
  const { api, call } = parts;
  const log = new lib.Log(kc);
  /**
   * `Log` keeps only the status of a refused request ("HTTP 400"); the reason — a container waiting to start, one
   * not in the pod — is in the body it drops. The same request as a plain GET of one byte brings it.
   */
  const refusalReason = async (
    err: unknown,
    what: string,
    pod: { namespace: string; name: string },
    container: string,
  ): Promise<never> => {
    if (!(err instanceof ClusterError) || err.status < 400 || err.status >= 500) throw err;
    const q = new URLSearchParams({ container, limitBytes: '1' });
    const path = `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/log`;
    await call(what, () => api.getAs(`${path}?${q}`, 'application/json'), false);
    throw err;
  };
  return async (pod, opts: LogOptions = {}) => {
    const what = `log of pod ${pod.namespace}/${pod.name}`;
    const container = opts.container ?? (await defaultContainer(get, pod));
    // A plain read must not hang on a server that stops sending; a followed log may be quiet for long.
    let timer: NodeJS.Timeout | undefined;
    const idle = () => {
      if (opts.follow) return;
      clearTimeout(timer);
      timer = setTimeout(
        () => out.destroy(new Error(`${what}: no data within ${REQUEST_TIMEOUT_MS / 1000}s`)),
        REQUEST_TIMEOUT_MS,
      );
    };
    const out = new Transform({
      transform(chunk, _enc, done) {
        idle();
        done(null, chunk);
      },
    });
    // `Log` pipes its response in without an error listener: ending early (a bound, a closed page) aborts the
    // request, and that AbortError must end our stream rather than escape as an uncaught exception.
    out.on('pipe', (src: Readable) => src.on('error', (err) => out.destroy(err)));
    const controller = await call(
      what,
      () =>
        log.log(pod.namespace, pod.name, container, out, {
          follow: opts.follow ?? false,
          ...(opts.tailLines !== undefined ? { tailLines: opts.tailLines } : {}),
          ...(opts.limitBytes !== undefined ? { limitBytes: opts.limitBytes } : {}),
          ...(opts.sinceSeconds !== undefined ? { sinceSeconds: opts.sinceSeconds } : {}),
          ...(opts.timestamps ? { timestamps: true } : {}),
        }),
      false,
    ).catch((err) => refusalReason(err, what, pod, container));
    idle();
    // The reader going away (page closed, bound reached) ends the request.
    out.on('close', () => {
      clearTimeout(timer);
      controller.abort();
    });
    return out as Readable;
  };
}

export async function createClusterClient(kc: KubeConfig): Promise<ClusterClient> {
  const server = serverOf(kc);
  const lib = await loadLibrary();
  const deadline = new AsyncLocalStorage<AbortSignal>();
  const api = objectApi(kc, lib, deadline);
  const call = caller(server, deadline);
  const { resource, invalidate } = discovery(api, call);
  const parts: Parts = { api, call, resource, passThrough: passThroughRegistry(lib) };
  const read = reads(parts);
  return {
    server,
    async ping() {
      // A liveness check wants a quick answer, not the retries a stage gets.
      await call(`Kubernetes API ${server}`, () => api.getAs('/version', 'application/json'), false);
    },
    resource,
    invalidateDiscovery: invalidate,
    ...read,
    ...writes(parts, lib),
    logs: logs(kc, lib, parts, read.get),
    close() {
      // The library keeps its connections in the KubeConfig's shared dispatcher (see kubeconfig.ts).
      closeConnections(kc);
    },
  };
}

/** The client for a cluster target (in-cluster or a kubeconfig file). */
export async function openCluster(target: ClusterTarget): Promise<ClusterClient> {
  return createClusterClient(await loadKubeConfig(target));
}
