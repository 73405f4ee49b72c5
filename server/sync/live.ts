// In-memory view of the live state of what Outpost applied, refreshed in the background so pages never wait.
import type { Logger } from 'pino';
import { type Health, healthOf, presenceHealth, presenceIsHealth } from '../apply/health/index.ts';
import { readLive, readPresence } from '../apply/live.ts';
import type { ClusterClient, ObjectRef } from '../cluster/types.ts';
import { refString } from '../cluster/types.ts';
import { Refreshing } from './periodic.ts';
import type { RunningInventory } from './running.ts';

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

export class LiveView extends Refreshing {
  #snapshot: LiveSnapshot = { objects: [], refreshedAt: null, error: null };
  #running: RunningInventory;
  #cluster: ClusterClient;
  #log: Logger;

  constructor(running: RunningInventory, cluster: ClusterClient, log: Logger) {
    super();
    this.#running = running;
    this.#cluster = cluster;
    this.#log = log;
  }

  snapshot(): LiveSnapshot {
    return this.#snapshot;
  }

  protected async update(): Promise<void> {
    const refs = this.#running.refs();
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
