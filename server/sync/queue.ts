// Single-flight sync queue: never two reconciles at once; triggers during a run coalesce into one follow-up.

import type { ReconcileOptions } from './reconciler.ts';
import type { RunRecord, Trigger } from './run.ts';

export type RunFn = (trigger: Trigger, actor: string | null, opts: ReconcileOptions) => Promise<RunRecord>;

export class SyncQueue {
  #run: RunFn;
  #current: Promise<RunRecord> | null = null;
  #next: Promise<RunRecord> | null = null;

  constructor(run: RunFn) {
    this.#run = run;
  }

  get running(): boolean {
    return this.#current !== null;
  }

  /**
   * Starts a run now, or returns the one follow-up run queued behind the current one. A run with options
   * (retry, rollback to a revision) is a staff decision and never merges into a plain follow-up.
   */
  trigger(trigger: Trigger, actor: string | null = null, opts: ReconcileOptions = {}): Promise<RunRecord> {
    if (!this.#current) return this.#start(trigger, actor, opts);
    if (Object.keys(opts).length > 0) {
      const after = (this.#next ?? this.#current)
        .catch(() => undefined)
        .then(() => this.trigger(trigger, actor, opts));
      return after;
    }
    if (!this.#next) {
      const current = this.#current;
      this.#next = current
        .catch(() => undefined)
        .then(() => {
          this.#next = null;
          return this.#start(trigger, actor, {});
        });
    }
    return this.#next;
  }

  #start(trigger: Trigger, actor: string | null, opts: ReconcileOptions): Promise<RunRecord> {
    const p = this.#run(trigger, actor, opts).finally(() => {
      if (this.#current === p) this.#current = null;
    });
    this.#current = p;
    return p;
  }

  /** Resolves when nothing is running or queued (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.#current || this.#next) {
      await (this.#next ?? this.#current)?.catch(() => undefined);
    }
  }
}
