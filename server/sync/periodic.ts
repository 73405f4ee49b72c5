// Background refreshes: an unref'd interval that never runs twice at once (a caller may await a fresh run), and the
// base of the views kept fresh that way.
export class Periodic {
  #fn: () => Promise<void>;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(fn: () => Promise<void>) {
    this.#fn = fn;
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.run(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  run(): Promise<void> {
    this.#running ??= this.#fn().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }
}

/** A view kept fresh in the background: start, stop, and an awaitable refresh, around its own update(). */
export abstract class Refreshing {
  #periodic = new Periodic(() => this.update());

  protected abstract update(): Promise<void>;

  start(intervalMs: number): void {
    this.#periodic.start(intervalMs);
  }

  stop(): void {
    this.#periodic.stop();
  }

  refresh(): Promise<void> {
    return this.#periodic.run();
  }
}
