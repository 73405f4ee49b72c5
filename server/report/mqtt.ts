// The MQTT sink (MQTT.js, loaded only when configured): a retained status per node with a Last Will that says
// "offline", events with QoS 1 in outbox order, reconnects with backoff and jitter, credentials read per connect.
import { readFileSync } from 'node:fs';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { backoffDelay } from '../backoff.ts';
import type { StoredEvent } from '../db/outbox.ts';
import {
  cloudEvent,
  EVENT,
  type Identity,
  type ReportConfig,
  type StatusSnapshot,
  statusMessage,
  topicSegment,
  topics,
} from './model.ts';
import type { Sink } from './sink.ts';

type MqttSettings = NonNullable<ReportConfig['mqtt']>;

const RECONNECT = { baseMs: 1_000, capMs: 5 * 60_000 };
/** How long a stop waits for the broker to take the "offline" status. */
const STOP_WAIT_MS = 2_000;

/** `user:password` from a file (a mounted Secret); the password may contain colons. */
export function readCredentials(file: string): { username: string; password: string } {
  const text = readFileSync(file, 'utf8').trim();
  const i = text.indexOf(':');
  if (i <= 0) throw new Error(`${file}: expected user:password`);
  return { username: text.slice(0, i), password: text.slice(i + 1) };
}

export class MqttSink implements Sink {
  readonly name = 'mqtt';
  // One connection delivers in the order published, so QoS 1 acknowledgements can be awaited in windows.
  readonly window = 50;
  #s: MqttSettings;
  #id: Identity;
  #log: Logger;
  #current: () => StatusSnapshot;
  #client: MqttClient | null = null;
  #attempt = 0;
  #topics: { status: string; events: string };

  constructor(s: MqttSettings, id: Identity, log: Logger, current: () => StatusSnapshot) {
    this.#s = s;
    this.#id = id;
    this.#log = log;
    this.#current = current;
    this.#topics = topics(s.prefix, id);
  }

  ready(): boolean {
    return this.#client?.connected ?? false;
  }

  /** Settings read again at every (re)connect: the Last Will carries the latest status, the Secret may rotate. */
  #connectOptions(): Partial<IClientOptions> {
    const o: Partial<IClientOptions> = {
      will: {
        topic: this.#topics.status,
        payload: Buffer.from(statusMessage(this.#id, this.#current(), false, new Date().toISOString())),
        qos: 1,
        retain: true,
      },
    };
    if (this.#s.authFile) Object.assign(o, readCredentials(this.#s.authFile));
    return o;
  }

  async start(onReady: () => void): Promise<void> {
    const mqtt = await import('mqtt');
    const base: IClientOptions = {
      clientId: `outpost-${topicSegment(this.#id.site)}-${topicSegment(this.#id.node)}`.slice(0, 64),
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      connectTimeout: 15_000,
      reconnectPeriod: backoffDelay(0, RECONNECT),
      rejectUnauthorized: true,
      // A refused sign-in (a Secret not yet rotated) is retried like a lost link: the file is read again each time.
      reconnectOnConnackError: true,
      ...(this.#s.caFile ? { ca: readFileSync(this.#s.caFile) } : {}),
    };
    let first: Partial<IClientOptions> = {};
    try {
      first = this.#connectOptions();
    } catch (err) {
      this.#log.warn({ err }, 'report: cannot read the MQTT credentials file');
    }
    const client = mqtt.connect(this.#s.url, { ...base, ...first });
    this.#client = client;
    client.on('connect', () => {
      this.#attempt = 0;
      this.#log.info({ url: this.#s.url }, 'report: connected to the MQTT broker');
      client
        .publishAsync(
          this.#topics.status,
          statusMessage(this.#id, this.#current(), true, new Date().toISOString()),
          {
            qos: 1,
            retain: true,
          },
        )
        .then(onReady, (err) => this.#log.warn({ err }, 'report: could not publish the status'));
    });
    client.on('reconnect', () => {
      try {
        Object.assign(client.options, this.#connectOptions());
      } catch (err) {
        this.#log.warn({ err }, 'report: cannot read the MQTT credentials file');
      }
    });
    client.on('close', () => {
      // MQTT.js waits reconnectPeriod before each attempt: grow it, with jitter, while the broker stays away.
      client.options.reconnectPeriod = backoffDelay(++this.#attempt, RECONNECT);
    });
    client.on('error', (err) => this.#log.warn({ err: err.message }, 'report: MQTT error'));
  }

  async send(e: StoredEvent): Promise<void> {
    const client = this.#client;
    if (!client?.connected) throw new Error('not connected to the MQTT broker');
    const status = () =>
      client.publishAsync(
        this.#topics.status,
        statusMessage(this.#id, e.data as StatusSnapshot, true, e.at),
        {
          qos: 1,
          retain: true,
        },
      );
    // A heartbeat only refreshes the retained status: that is all a fleet view reads, and it keeps bytes down.
    if (e.type === EVENT.heartbeat) {
      await status();
      return;
    }
    await client.publishAsync(this.#topics.events, JSON.stringify(cloudEvent(e, this.#id)), { qos: 1 });
    if (e.type === EVENT.state) await status();
  }

  /** A deliberate stop says "offline" at once rather than leaving it to the Last Will; never waits long for it. */
  async stop(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    if (!client) return;
    if (client.connected) {
      const offline = client.publishAsync(
        this.#topics.status,
        statusMessage(this.#id, this.#current(), false, new Date().toISOString()),
        { qos: 1, retain: true },
      );
      const timer = new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref());
      await Promise.race([offline.catch(() => undefined), timer]);
    }
    // Forced: what is still unacknowledged stays in the outbox and is sent again after the restart.
    await client.endAsync(true).catch(() => undefined);
  }
}
