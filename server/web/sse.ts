// Server-sent events to open pages: a "changed" notice when what the console shows may have changed, streamed pod
// logs, heartbeats, a bound on open streams, and all of them closed on shutdown.
import type { Request, Response } from 'express';

/** The DOM event htmx fires on the page for a change notice; panels refresh on it (`hx-trigger`). */
export const CHANGED_EVENT = 'outpost-changed';
/** Streams open at once (pages and logs together): a LAN of kiosks and laptops, not the internet. */
export const MAX_STREAMS = 32;
const HEARTBEAT_MS = 15_000;
/** How often the console's version is compared: a change reaches the pages well within a second. */
const TICK_MS = 200;
/** At most two notices a second: a busy cluster must not make every open page refresh five times a second. */
const MIN_GAP_MS = 500;

export interface SseStream {
  /** One message: a named event (fired as a DOM event by htmx) or, without a name, HTML htmx swaps in. */
  send(data: string, event?: string): void;
  close(): void;
  /** Called once when the stream ends, from either side. */
  onClose(fn: () => void): void;
}

export interface SseHub {
  /** Opens a stream on `res`, or answers 503 and returns null when MAX_STREAMS are open. */
  open(req: Request, res: Response): SseStream | null;
  /** The change-notice stream every page subscribes to. */
  changes(req: Request, res: Response): void;
  count(): number;
  /** Ends every stream (shutdown): no open connection keeps the server from closing. */
  close(): void;
}

function frame(data: string, event?: string): string {
  const lines = data.split('\n').map((l) => `data: ${l}`);
  return `${event ? `event: ${event}\n` : ''}${lines.join('\n')}\n\n`;
}

export function createSseHub(opts: { version: () => string; max?: number }): SseHub {
  const max = opts.max ?? MAX_STREAMS;
  const open = new Set<SseStream>();
  const watchers = new Set<SseStream>();
  let last = '';
  let sentAt = 0;
  let ticker: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;

  const tick = () => {
    const now = Date.now();
    if (now - sentAt < MIN_GAP_MS) return;
    const v = opts.version();
    if (v === last) return;
    last = v;
    sentAt = now;
    for (const s of watchers) s.send('', CHANGED_EVENT);
  };
  // Timers run only while a stream is open: an idle node does no work for pages nobody looks at.
  const timers = () => {
    if (open.size > 0 && !heartbeat) {
      heartbeat = setInterval(() => {
        for (const s of open) (s as SseStream & { ping(): void }).ping();
      }, HEARTBEAT_MS);
      heartbeat.unref();
    }
    if (watchers.size > 0 && !ticker) {
      last = opts.version();
      ticker = setInterval(tick, TICK_MS);
      ticker.unref();
    }
    if (watchers.size === 0 && ticker) {
      clearInterval(ticker);
      ticker = undefined;
    }
    if (open.size === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  };

  const hub: SseHub = {
    open(req, res) {
      if (closed || open.size >= max) {
        res.setHeader('Retry-After', '30');
        res.status(503).type('text').send('too many live connections');
        return null;
      }
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        // A reverse proxy (the support tunnel's far end) must not buffer the stream.
        'X-Accel-Buffering': 'no',
      });
      // Reconnect after 5 s when the stream drops (a restart): htmx's SSE extension honours `retry`.
      res.write('retry: 5000\n\n');
      const listeners: (() => void)[] = [];
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        open.delete(stream);
        watchers.delete(stream);
        timers();
        if (!res.writableEnded) res.end();
        for (const fn of listeners) fn();
      };
      const stream: SseStream & { ping(): void } = {
        send(data, event) {
          if (!ended) res.write(frame(data, event));
        },
        ping() {
          if (!ended) res.write(': ping\n\n');
        },
        close: end,
        onClose(fn) {
          if (ended) fn();
          else listeners.push(fn);
        },
      };
      req.on('close', end);
      res.on('close', end);
      open.add(stream);
      timers();
      return stream;
    },
    changes(req, res) {
      const s = hub.open(req, res);
      if (!s) return;
      watchers.add(s);
      timers();
    },
    count: () => open.size,
    close() {
      closed = true;
      for (const s of [...open]) s.close();
      timers();
    },
  };
  return hub;
}
