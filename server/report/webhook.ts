// The webhook sink: each event POSTed as a CloudEvent (structured JSON), signed with HMAC-SHA256, filtered by
// type and severity; 408, 429, 5xx and network errors are retried (Retry-After honoured), other refusals skipped.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { Logger } from 'pino';
import type { StoredEvent } from '../db/outbox.ts';
import { http } from '../node-http.ts';
import { cloudEvent, type Identity, type ReportConfig, severityAtLeast, typeMatches } from './model.ts';
import { RetryLater, type Sink } from './sink.ts';

type WebhookSettings = NonNullable<ReportConfig['webhook']>;

export const SIGNATURE_HEADER = 'x-outpost-signature';
const TIMEOUT_MS = 10_000;

/** The header value a receiver recomputes: `sha256=` and the hex HMAC of the raw body. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function retryAfterMs(header: string | undefined): number {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : 0;
}

export class WebhookSink implements Sink {
  readonly name = 'webhook';
  readonly window = 1;
  #s: WebhookSettings;
  #id: Identity;
  #log: Logger;

  constructor(s: WebhookSettings, id: Identity, log: Logger) {
    this.#s = s;
    this.#id = id;
    this.#log = log;
  }

  ready(): boolean {
    return true;
  }

  async start(onReady: () => void): Promise<void> {
    onReady();
  }

  async stop(): Promise<void> {}

  async send(e: StoredEvent): Promise<void> {
    if (!typeMatches(e.type, this.#s.types) || !severityAtLeast(e.severity, this.#s.minSeverity)) return;
    const body = JSON.stringify(cloudEvent(e, this.#id));
    const headers: Record<string, string> = {
      'content-type': 'application/cloudevents+json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'outpost',
    };
    // Read per request, so a rotated Secret is used at once.
    if (this.#s.secretFile)
      headers[SIGNATURE_HEADER] = signature(readFileSync(this.#s.secretFile, 'utf8').trim(), body);
    const { status, retryAfter } = await this.#post(body, headers);
    if (status >= 200 && status < 300) return;
    if (status === 408 || status === 429 || status >= 500) {
      throw new RetryLater(
        `webhook ${this.#s.url} answered ${status} for event ${e.id}`,
        retryAfterMs(retryAfter),
      );
    }
    // The receiver will not take this one whatever we do: say so and go on with the next.
    this.#log.warn(
      { url: this.#s.url, status, event: e.id, type: e.type },
      'report: the webhook refused an event',
    );
  }

  #post(body: string, headers: Record<string, string>): Promise<{ status: number; retryAfter?: string }> {
    const url = new URL(this.#s.url);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method: 'POST', headers, timeout: TIMEOUT_MS }, (res) => {
        res.resume();
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, ...(retryAfter ? { retryAfter } : {}) });
        });
        res.on('error', (err) =>
          reject(new RetryLater(`webhook ${this.#s.url}: ${err.message}`, 0, { cause: err })),
        );
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
      req.on('error', (err) =>
        reject(new RetryLater(`webhook ${this.#s.url}: ${err.message}`, 0, { cause: err })),
      );
      req.end(body);
    });
  }
}
