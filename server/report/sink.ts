// What a report sink is (MQTT, webhook): it delivers one event at a time, in outbox order, and says when to retry.
import type { StoredEvent } from '../db/outbox.ts';

export interface Sink {
  /** Its cursor's name in the store. */
  readonly name: string;
  /** Events sent before waiting for their acknowledgements (1 keeps strict order at a receiver that is not a stream). */
  readonly window: number;
  /** Whether sending can be tried now (a connected broker; a webhook always). */
  ready(): boolean;
  /** Delivers `e`, or decides not to (filtered, refused for good); throws to be retried later. */
  send(e: StoredEvent): Promise<void>;
  /** Starts connecting; `onReady` when a backlog can be drained. */
  start(onReady: () => void): Promise<void>;
  stop(): Promise<void>;
}

/** A failure worth retrying; `retryAfterMs` when the receiver said how long to wait. */
export class RetryLater extends Error {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs = 0, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryLater';
    this.retryAfterMs = retryAfterMs;
  }
}
