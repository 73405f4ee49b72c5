// Upward reporting as one object: every tick the collector appends what happened to the outbox, and each sink
// drains it from its own cursor, in order, backing off while its far end is away. Nothing here waits on a sync
// or a page: a tick is a few indexed reads, and delivery runs beside them.
import type { Logger } from 'pino';
import { backoffDelay } from '../backoff.ts';
import type { Db } from '../db/open.ts';
import {
  backlog,
  cursor,
  eventsAfter,
  lastSeq,
  type StoredEvent,
  setCursor,
  trimDelivered,
} from '../db/outbox.ts';
import { volumeOf } from '../db/space.ts';
import { Collector, type CollectorDeps } from './collector.ts';
import type { ReportConfig } from './model.ts';
import { MqttSink } from './mqtt.ts';
import { RetryLater, type Sink } from './sink.ts';
import { WebhookSink } from './webhook.ts';

const TICK_MS = 2_000;
const BATCH = 100;
const RETRY = { baseMs: 1_000, capMs: 5 * 60_000 };

export interface ReporterDeps extends Omit<CollectorDeps, 'config'> {
  config: ReportConfig;
  log: Logger;
  /** For tests: sinks other than the configured ones. */
  sinks?: Sink[];
}

interface SinkState {
  sink: Sink;
  busy: boolean;
  attempt: number;
  retryAt: number;
  delivered: number;
}

export class Reporter {
  readonly collector: Collector;
  #d: ReporterDeps;
  #sinks: SinkState[];
  #timer: NodeJS.Timeout | null = null;

  constructor(d: ReporterDeps) {
    this.#d = d;
    this.collector = new Collector(d);
    const id = d.config.identity;
    const sinks =
      d.sinks ??
      [
        d.config.mqtt && new MqttSink(d.config.mqtt, id, d.log, () => this.collector.snapshot()),
        d.config.webhook && new WebhookSink(d.config.webhook, id, d.log),
      ].filter((s): s is MqttSink | WebhookSink => Boolean(s));
    this.#sinks = sinks.map((sink) => ({ sink, busy: false, attempt: 0, retryAt: 0, delivered: 0 }));
    // A sink configured for the first time starts from now, not from a backlog meant for another.
    for (const s of sinks) {
      if (d.db.prepare('SELECT 1 FROM report_cursors WHERE sink = ?').get(s.name) === undefined)
        setCursor(d.db, s.name, lastSeq(d.db));
    }
  }

  get db(): Db {
    return this.#d.db;
  }

  async start(): Promise<void> {
    for (const s of this.#sinks) {
      s.sink
        .start(() => this.drain())
        .catch((err) => this.#d.log.warn({ err, sink: s.sink.name }, 'report: sink did not start'));
    }
    this.tick();
    this.#timer = setInterval(() => this.tick(), TICK_MS);
    this.#timer.unref();
  }

  /** Collects and drains; the store failing (a full disk) is logged, never thrown into a timer. */
  tick(): void {
    try {
      // A full data volume keeps its reserve for sessions and audit entries: events wait until there is room.
      if (!volumeOf(this.#d.db)?.full) this.collector.collect();
    } catch (err) {
      this.#d.log.warn({ err }, 'report: could not collect events');
    }
    this.drain();
  }

  drain(): void {
    for (const s of this.#sinks) void this.#drainOne(s);
  }

  /** Events not yet delivered to each sink. */
  pending(): Record<string, number> {
    return Object.fromEntries(
      this.#sinks.map((s) => [s.sink.name, backlog(this.#d.db, cursor(this.#d.db, s.sink.name))]),
    );
  }

  /** Resolves once every sink has delivered everything there is (tests, benches, shutdown). */
  async flushed(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      this.tick();
      if (Object.values(this.pending()).every((n) => n === 0)) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  async #drainOne(s: SinkState): Promise<void> {
    const db = this.#d.db;
    if (s.busy || !s.sink.ready() || Date.now() < s.retryAt) return;
    s.busy = true;
    let at = cursor(db, s.sink.name);
    try {
      for (;;) {
        const batch = eventsAfter(db, at, BATCH);
        if (batch.length === 0) break;
        for (let i = 0; i < batch.length; i += s.sink.window) {
          const window = batch.slice(i, i + s.sink.window);
          const results = await Promise.allSettled(window.map((e) => s.sink.send(e)));
          // The cursor moves over what was delivered without a gap; a later success is sent again (ids dedupe).
          for (const [j, r] of results.entries()) {
            if (r.status === 'rejected') throw r.reason;
            at = (window[j] as StoredEvent).seq;
            s.delivered++;
          }
        }
        setCursor(db, s.sink.name, at);
      }
      s.attempt = 0;
    } catch (err) {
      const wait = Math.max(
        backoffDelay(s.attempt++, RETRY),
        err instanceof RetryLater ? err.retryAfterMs : 0,
      );
      s.retryAt = Date.now() + wait;
      this.#d.log.warn(
        { err: (err as Error).message, sink: s.sink.name, retryInMs: wait },
        'report: delivery failed',
      );
    } finally {
      try {
        setCursor(db, s.sink.name, at);
        trimDelivered(
          db,
          this.#sinks.map((x) => x.sink.name),
        );
      } catch (err) {
        this.#d.log.warn({ err }, 'report: could not record delivery');
      }
      s.busy = false;
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await Promise.all(this.#sinks.map((s) => s.sink.stop()));
  }
}
