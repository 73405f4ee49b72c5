// `?watch=true`: a stream of {type, object} JSON lines, resumable from a resourceVersion within the kept window
// (older: an ERROR event with a 410 Status), with BOOKMARK events every `bookmarkMs` when the client allows them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from './engine.ts';
import { failureStatus } from './errors.ts';
import { apiVersionOf, type ResourceType, storeKey } from './kinds.ts';
import { labelsOf, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { StoreEvent } from './store.ts';
import { type JsonObject, obj, str } from './util.ts';

export function serveWatch(
  e: Engine,
  rt: ResourceType,
  ns: string | undefined,
  q: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
  open: Set<ServerResponse>,
  bookmarkMs: number,
): void {
  const byLabel = parseLabelSelector(q.get('labelSelector'));
  const byField = parseFieldSelector(q.get('fieldSelector'));
  const name = q.get('fieldSelector')?.match(/metadata\.name=([^,]+)/)?.[1];
  const key = storeKey(rt);
  const matches = (o: JsonObject | undefined) => {
    if (!o) return false;
    const m = obj(o.metadata);
    if (rt.namespaced && ns !== undefined && m.namespace !== ns) return false;
    return byLabel(labelsOf(o)) && byField(o);
  };
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const send = (type: string, object: JsonObject) => {
    if (!res.writableEnded)
      res.write(
        `${JSON.stringify({ type, object: { ...object, apiVersion: apiVersionOf(rt), kind: object.kind ?? rt.kind } })}\n`,
      );
  };
  const rvParam = q.get('resourceVersion');
  if (rvParam && Number(rvParam) > e.store.revision()) {
    // As the API server after waiting for a version it has not reached (a restored etcd): the client must list.
    const status = failureStatus(
      504,
      'Timeout',
      `Too large resource version: ${rvParam}, current: ${e.store.revision()}`,
      {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      },
    );
    res.writeHead(504, { 'Content-Type': 'application/json' }).end(JSON.stringify(status));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  // Clients wait for the headers before they consider the watch established.
  res.flushHeaders();
  open.add(res);

  const initial = q.get('sendInitialEvents') === 'true' || !rvParam || rvParam === '0';
  let from = e.store.revision();
  if (initial) {
    for (const o of e.store.list(key, rt.namespaced ? ns : undefined)) if (matches(o)) send('ADDED', o);
    if (q.get('sendInitialEvents') === 'true' && bookmarks) {
      send('BOOKMARK', {
        kind: rt.kind,
        metadata: { resourceVersion: String(from), annotations: { 'k8s.io/initial-events-end': 'true' } },
      });
    }
  } else {
    from = Number(rvParam);
    const backlog = Number.isFinite(from) ? e.store.since(from) : undefined;
    if (!backlog) {
      send(
        'ERROR',
        failureStatus(410, 'Expired', `too old resource version: ${rvParam} (${e.store.oldestRevision()})`),
      );
      res.end();
      open.delete(res);
      return;
    }
    for (const ev of backlog) deliver(ev);
  }

  function deliver(ev: StoreEvent): void {
    if (ev.resource !== key) return;
    if (name && str(obj(ev.object.metadata).name) !== name) return;
    const was = ev.old !== undefined && ev.type !== 'ADDED' && matches(ev.old);
    const is = ev.type !== 'DELETED' && matches(ev.object);
    if (ev.type === 'DELETED') {
      if (was || matches(ev.object)) send('DELETED', ev.object);
    } else if (was && is) send('MODIFIED', ev.object);
    else if (!was && is) send('ADDED', ev.object);
    else if (was && !is) send('DELETED', ev.object);
  }

  const unsubscribe = e.store.subscribe(deliver);
  const timeout = Number(q.get('timeoutSeconds') ?? '0');
  const timer = timeout > 0 ? setTimeout(() => stop(), timeout * 1000) : undefined;
  // A bookmark tells the client how far it is up to date even when nothing it watches changes, so its next
  // watch resumes from a version that is still in the window.
  const ticker = bookmarks
    ? setInterval(
        () => send('BOOKMARK', { kind: rt.kind, metadata: { resourceVersion: String(e.store.revision()) } }),
        bookmarkMs,
      )
    : undefined;
  function stop(): void {
    unsubscribe();
    if (timer) clearTimeout(timer);
    if (ticker) clearInterval(ticker);
    open.delete(res);
    if (!res.writableEnded) res.end();
  }
  req.on('close', stop);
  res.on('close', stop);
}
