// A run's changes as people read them: each object once, with the last thing the run did to it (a rolled-back
// Deployment is "configured" once, by the rollback, not once by the failed apply and again by the rollback).
import type { Change } from './run.ts';

export class RunChanges {
  readonly #byRef = new Map<string, Change>();

  /** Adds what a stage did; an object seen before keeps its place in the list and takes the new action. */
  add(changes: readonly Change[]): void {
    for (const c of changes) this.#byRef.set(c.ref, c);
  }

  list(): Change[] {
    return [...this.#byRef.values()];
  }
}
