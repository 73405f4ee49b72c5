// In-memory view of the live state of what Outpost applied, refreshed in the background so pages never wait.
import type { Logger } from 'pino';
import { type Health, healthOf } from '../apply/health/index.ts';
import { readLive } from '../apply/live.ts';
import type { ClusterClient, ObjectRef } from '../cluster/types.ts';
import { refString } from '../cluster/types.ts';
import type { Db } from '../db/open.ts';
import { inventory } from '../db/revisions.ts';
import { getState } from '../db/state.ts';
import { Periodic } from './periodic.ts';
import type { LkgPointer } from './reconciler.ts';

export interface LiveObject {
  ref: ObjectRef;
  health: Health;
}

export interface LiveSnapshot {
  objects: LiveObject[];
  refreshedAt: string | null;
  /** Why the last refresh failed, if it did (the API server down, say). */
  error: string | null;
}

export class LiveView {
  #snapshot: LiveSnapshot = { objects: [], refreshedAt: null, error: null };
  #db: Db;
  #cluster: ClusterClient;
  #log: Logger;
  #periodic = new Periodic(() => this.#refresh());

  constructor(db: Db, cluster: ClusterClient, log: Logger) {
    this.#db = db;
    this.#cluster = cluster;
    this.#log = log;
  }

  snapshot(): LiveSnapshot {
    return this.#snapshot;
  }

  start(intervalMs: number): void {
    this.#periodic.start(intervalMs);
  }

  stop(): void {
    this.#periodic.stop();
  }

  refresh(): Promise<void> {
    return this.#periodic.run();
  }

  async #refresh(): Promise<void> {
    const lkg = getState<LkgPointer>(this.#db, 'lkg_revision');
    const refs = lkg ? inventory(this.#db, lkg.revisionId) : [];
    try {
      // The same bulk read the apply uses: one labelled LIST per kind, single GETs only for the rest.
      const live = await readLive(this.#cluster, refs);
      const objects = refs.map((ref) => ({
        ref,
        health: healthOf(live.get(refString(ref)) ?? null, ref.apiVersion, ref.kind),
      }));
      this.#snapshot = { objects, refreshedAt: new Date().toISOString(), error: null };
    } catch (err) {
      this.#log.warn({ err }, 'live view refresh failed');
      this.#snapshot = { ...this.#snapshot, error: (err as Error).message };
    }
  }
}
