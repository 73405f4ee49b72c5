// A background refresh: runs on an unref'd interval, never twice at once; a caller may await a fresh run.
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
