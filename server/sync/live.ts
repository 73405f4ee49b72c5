// In-memory view of the live state of what Outpost applied, refreshed in the background so pages never wait.
import type { Logger } from 'pino';
import { type Health, healthOf, presenceHealth, presenceIsHealth } from '../apply/health/index.ts';
import { readLive, readPresence } from '../apply/live.ts';
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
  #inventory: { revisionId: number | undefined; refs: ObjectRef[] } | null = null;

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
    // A revision's inventory never changes: read it again only when the running revision does.
    let known = this.#inventory;
    if (!known || known.revisionId !== lkg?.revisionId) {
      known = { revisionId: lkg?.revisionId, refs: lkg ? inventory(this.#db, lkg.revisionId) : [] };
      this.#inventory = known;
    }
    const { refs } = known;
    try {
      // Kinds without a status only need to be there: their names are enough. The rest are read in bulk as the
      // apply reads them: one labelled LIST per kind, single GETs only for what that list does not show.
      const statusless = refs.filter((r) => presenceIsHealth(r.apiVersion, r.kind));
      const present = await readPresence(this.#cluster, statusless);
      const live = await readLive(
        this.#cluster,
        refs.filter((r) => !presenceIsHealth(r.apiVersion, r.kind)),
      );
      const objects = refs.map((ref) => {
        const key = refString(ref);
        const health = presenceIsHealth(ref.apiVersion, ref.kind)
          ? presenceHealth(present.has(key))
          : healthOf(live.get(key) ?? null, ref.apiVersion, ref.kind);
        return { ref, health };
      });
      this.#snapshot = { objects, refreshedAt: new Date().toISOString(), error: null };
    } catch (err) {
      this.#log.warn({ err }, 'live view refresh failed');
      this.#snapshot = { ...this.#snapshot, error: (err as Error).message };
    }
  }
}
