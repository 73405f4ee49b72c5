// Samples on their way to SQLite: kept in memory and written in batches, old ones pruned once an hour, and
// nothing written while the data volume is full (the reserve's room is for sessions and audit entries).
import type { Logger } from 'pino';
import type { Db } from '../db/open.ts';
import { volumeOf } from '../db/space.ts';

const PRUNE_EVERY_MS = 3_600_000;

export interface SampleLogOptions<T> {
  db: Db;
  log: Logger;
  /** What the samples are, for the log: "host samples", "the API checks". */
  what: string;
  insert: (db: Db, batch: T[]) => void;
  /** Deletes the samples older than `before` (unix ms); returns how many went. */
  prune: (db: Db, before: number) => number;
  retentionMs: number;
  /** Samples buffered before one batched write. */
  flushEvery: number;
}

export class SampleLog<T extends { at: number }> {
  #o: SampleLogOptions<T>;
  #buffer: T[] = [];
  #lastPrune = 0;

  constructor(o: SampleLogOptions<T>) {
    this.#o = o;
  }

  /** The samples not written yet (a chart reads them beside the stored ones). */
  get unwritten(): readonly T[] {
    return this.#buffer;
  }

  add(sample: T): void {
    this.#buffer.push(sample);
    if (this.#buffer.length >= this.#o.flushEvery) this.flush();
    if (sample.at - this.#lastPrune > PRUNE_EVERY_MS) this.prune(sample.at);
  }

  flush(): void {
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    if (volumeOf(this.#o.db)?.full) return;
    try {
      this.#o.insert(this.#o.db, batch);
    } catch (err) {
      this.#o.log.warn({ err, samples: batch.length }, `could not store ${this.#o.what}`);
    }
  }

  prune(at: number): void {
    this.#lastPrune = at;
    try {
      const n = this.#o.prune(this.#o.db, at - this.#o.retentionMs);
      if (n > 0) this.#o.log.debug({ deleted: n }, `pruned old ${this.#o.what}`);
    } catch (err) {
      this.#o.log.warn({ err }, `could not prune ${this.#o.what}`);
    }
  }
}
