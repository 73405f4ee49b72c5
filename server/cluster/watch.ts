// Informers on @kubernetes/client-node's ListWatch: a cache per resource kept current by a watch that resumes from
// its resourceVersion, asks for bookmarks, lists again on 410 Gone, and restarts with backoff after errors.
import https from 'node:https';
import { backoffDelay } from '../backoff.ts';
import { http } from '../node-http.ts';
import type { KubeConfig } from './kubeconfig.ts';
import type { KubeObject } from './types.ts';

/** How current a cache is, for pages that show its age. */
export interface InformerStatus {
  /** The first list has arrived. */
  synced: boolean;
  /** When the cache was last known to match the server: a list, an event or a bookmark (ms since epoch). */
  currentAt: number | null;
  /** Why the watch is down now, or null while it runs. */
  error: string | null;
  /** Full lists so far: the first, and one per expired version (410) or failed resume. */
  lists: number;
}

export interface Informer {
  readonly path: string;
  list(): KubeObject[];
  status(): InformerStatus;
  stop(): Promise<void>;
}

export interface InformerOptions {
  labelSelector?: string;
  /** What the cache keeps of each object (default: all but managedFields and kubectl's last-applied copy). */
  keep?: (o: KubeObject) => KubeObject;
  /** Called after every change to the cache (add, update, delete, relist). */
  onChange: () => void;
  onError?: (err: unknown) => void;
  /** Backoff after an error: first and longest delay (default 1 s, 30 s). */
  retry?: { baseMs: number; maxMs: number };
}

/**
 * Views built from informers wait this long after a change before rebuilding: a sync writing 2,000 objects
 * makes a few rebuilds a second, not one per object, and a page still shows a change within a second.
 */
export const CHANGE_BATCH_MS = 250;

/** Objects per LIST page: a big namespace never arrives as one huge body. */
const PAGE = 500;
const LIST_TIMEOUT_MS = 30_000;
/** A page larger than this is refused: the cache must not take the process down. */
const MAX_PAGE_BYTES = 64 * 1024 * 1024;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * What the cache keeps of an object: everything but managedFields and kubectl's last-applied copy, which no
 * view reads and which can double an object's size.
 */
export function slim(o: KubeObject): KubeObject {
  if (!o?.metadata) return o;
  const { managedFields: _m, ...metadata } = o.metadata;
  if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
    const { [LAST_APPLIED]: _l, ...annotations } = metadata.annotations;
    metadata.annotations = annotations;
  }
  return { ...o, metadata };
}

interface ListBody {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[];
  kind?: string;
  apiVersion?: string;
}

/** One GET through the library's own authentication (tokens, client certificates, exec plugins, proxies). */
async function getJson(kc: KubeConfig, url: URL): Promise<ListBody> {
  const opts: https.RequestOptions = { method: 'GET', timeout: LIST_TIMEOUT_MS };
  await kc.applyToHTTPSOptions(opts);
  opts.headers = { ...opts.headers, Accept: 'application/json' };
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_PAGE_BYTES)
          req.destroy(new Error(`list ${url.pathname}: page larger than ${MAX_PAGE_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (err) {
          reject(new Error(`list ${url.pathname}: not JSON (HTTP ${res.statusCode})`, { cause: err }));
          return;
        }
        if (res.statusCode === 200) resolve(body as ListBody);
        else {
          const message = (body as { message?: string }).message ?? `HTTP ${res.statusCode}`;
          reject(
            Object.assign(new Error(`list ${url.pathname}: ${message}`), { statusCode: res.statusCode }),
          );
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () =>
      req.destroy(new Error(`list ${url.pathname}: no answer in ${LIST_TIMEOUT_MS} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** A full list in pages; an expired continue token (410) starts it over, as client-go's pager does. */
async function listAll(
  kc: KubeConfig,
  path: string,
  labelSelector: string | undefined,
  keep: (o: KubeObject) => KubeObject,
) {
  const server = (kc.getCurrentCluster()?.server ?? '').replace(/\/$/, '');
  for (let attempt = 0; ; attempt++) {
    const items: KubeObject[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    try {
      do {
        const url = new URL(server + path);
        url.searchParams.set('limit', String(PAGE));
        if (labelSelector) url.searchParams.set('labelSelector', labelSelector);
        if (cont) url.searchParams.set('continue', cont);
        const page = await getJson(kc, url);
        for (const o of page.items ?? []) items.push(keep(o));
        resourceVersion = page.metadata?.resourceVersion ?? '';
        cont = page.metadata?.continue || undefined;
      } while (cont);
      return { metadata: { resourceVersion }, items };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 410 || attempt > 0) throw err;
    }
  }
}

// Loaded on the first informer, not at import: the CLI and the tests that never watch do not pay for them.
let library:
  | Promise<
      [
        typeof import('@kubernetes/client-node/dist/watch.js'),
        typeof import('@kubernetes/client-node/dist/cache.js'),
      ]
    >
  | undefined;
function loadLibrary() {
  library ??= Promise.all([
    import('@kubernetes/client-node/dist/watch.js'),
    import('@kubernetes/client-node/dist/cache.js'),
  ]);
  return library;
}

type Watcher = InstanceType<Awaited<ReturnType<typeof loadLibrary>>[0]['Watch']>;

/**
 * Starts an informer on `path` (`/api/v1/pods`, `/apis/apps/v1/deployments`) and resolves once it is started (not
 * synced: a page shows an empty cache with its age rather than wait for an API server that does not answer).
 */
export async function startInformer(kc: KubeConfig, path: string, opts: InformerOptions): Promise<Informer> {
  const [{ Watch }, { ListWatch }] = await loadLibrary();
  const retry = opts.retry ?? { baseMs: 1000, maxMs: 30_000 };
  const keep = opts.keep ?? slim;
  const state: InformerStatus = { synced: false, currentAt: null, error: null, lists: 0 };
  /** Errors since the cache was last current: the backoff step. */
  let errors = 0;
  /** Watches that failed in a row: the second one lists again. */
  let failedResumes = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const fresh = () => {
    state.currentAt = Date.now();
    state.error = null;
    errors = 0;
    failedResumes = 0;
  };
  const watch = new Watch(kc);
  /** The watch being opened or open: ListWatch.stop() misses one still connecting, stop() aborts it too. */
  let current: Promise<AbortController> | undefined;
  // ListWatch asks the server for events only; bookmarks keep a quiet watch's version from expiring, and the
  // wrapper slims what is cached. A resume that fails twice in a row is treated as expired: the next start
  // lists again instead of asking a restored API server for a version it never reached.
  const bookmarking = {
    watch(
      p: string,
      params: Record<string, string | number | boolean | undefined>,
      cb: (type: string, obj: KubeObject, raw?: unknown) => void,
      done: (err: unknown) => void,
    ) {
      current = watch.watch(
        p,
        { ...params, allowWatchBookmarks: true },
        (type, obj, raw) => {
          if (stopped) return;
          fresh();
          cb(type, type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED' ? keep(obj) : obj, raw);
        },
        (err) => {
          if (err && (err as { name?: string }).name !== 'TimeoutError' && ++failedResumes >= 2) {
            done(Object.assign(new Error(`resume of ${p} failed twice: listing again`), { statusCode: 410 }));
          } else done(err);
        },
      );
      return current;
    },
  } as unknown as Watcher;
  // The library types objects with its generated models (dates as Date); on the wire they are plain JSON.
  type Wire = import('@kubernetes/client-node/dist/types.js').KubernetesObject;
  const lw = new ListWatch<Wire>(
    path,
    bookmarking,
    async () => {
      const list = await listAll(kc, path, opts.labelSelector, keep);
      state.lists++;
      state.synced = true;
      fresh();
      // The list replaces the cache and reports what changed one object at a time; one notice is enough.
      queueMicrotask(opts.onChange);
      return list as never;
    },
    false,
    opts.labelSelector,
  );
  lw.on('change', () => {
    if (!stopped) opts.onChange();
  });
  lw.on('error', (err) => {
    // Stopping aborts the open watch, which ends in an error nobody needs to hear of.
    if (stopped) return;
    state.error = (err as Error)?.message ?? String(err);
    opts.onError?.(err);
    opts.onChange();
    if (stopped) return;
    // ListWatch stops after an error; it starts again from its version after a backoff with jitter.
    clearTimeout(timer);
    timer = setTimeout(
      () => {
        if (!stopped) void lw.start().catch((e: unknown) => opts.onError?.(e));
      },
      backoffDelay(errors++, { baseMs: retry.baseMs, capMs: retry.maxMs }),
    );
    timer.unref();
  });
  void lw.start().catch((err: unknown) => opts.onError?.(err));
  return {
    path,
    list: () => lw.list() as unknown as KubeObject[],
    status: () => ({ ...state }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await lw.stop();
      (await current?.catch(() => undefined))?.abort();
    },
  };
}
