// Live updates over server-sent events: the change notices every page listens to, and a followed pod log.
import type { Readable } from 'node:stream';
import { Router } from 'express';
import { MAX_LOG_BYTES, MAX_TAIL_LINES, WorkloadError } from '../../sync/workloads.ts';
import type { WebDeps } from '../deps.ts';
import { httpStatus } from '../http-error.ts';
import { FOLLOW_FOR_MS } from '../models/workload.ts';
import type { SseHub } from '../sse.ts';

/** The event that tells the page the followed log has ended (htmx closes the stream on it, `hx-sse:close`). */
export const LOG_END_EVENT = 'log-end';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function liveRoutes(deps: WebDeps, events: SseHub): Router {
  const r = Router();

  r.get('/events', (req, res) => events.changes(req, res));

  /**
   * New lines of a container, appended to the page as they come. Bounded: MAX_TAIL_LINES lines, MAX_LOG_BYTES
   * bytes and FOLLOW_FOR_MS, then `log-end`; the upstream stream is destroyed whenever the page goes.
   */
  r.get('/pods/:ns/:name/logs/stream', async (req, res) => {
    const { ns, name } = req.params;
    const container = typeof req.query.container === 'string' ? req.query.container : '';
    let upstream: Readable;
    try {
      upstream = await deps.sync.workloads.follow(ns, name, container ? { container } : {});
    } catch (err) {
      if (!(err instanceof WorkloadError)) throw err;
      res.status(httpStatus(err)).type('text').send(err.message);
      return;
    }
    // The page may have gone while the API answered: nobody would end this stream.
    if (req.destroyed || res.closed) {
      upstream.destroy();
      return;
    }
    const stream = events.open(req, res);
    if (!stream) {
      upstream.destroy();
      return;
    }
    let lines = 0;
    let bytes = 0;
    let partial = '';
    const finish = () => {
      stream.send('', LOG_END_EVENT);
      stream.close();
    };
    const timer = setTimeout(finish, FOLLOW_FOR_MS);
    timer.unref();
    stream.onClose(() => {
      clearTimeout(timer);
      upstream.destroy();
    });
    upstream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      const room = MAX_TAIL_LINES - lines;
      const sent = parts.slice(0, room);
      lines += sent.length;
      // One message per chunk; the trailing empty line keeps the last line's newline in the swapped text.
      if (sent.length > 0) stream.send(`${sent.map(escapeHtml).join('\n')}\n`);
      if (lines >= MAX_TAIL_LINES || bytes >= MAX_LOG_BYTES) finish();
    });
    upstream.on('end', finish);
    upstream.on('error', finish);
  });
  return r;
}
