// In-memory view of the live state of what Outpost applied, refreshed in the background so pages never wait.
import type { Logger } from 'pino';
import { type Health, healthOf } from '../apply/health/index.ts';
import { MANAGED_BY } from '../apply/labels.ts';
import type { ClusterClient, KubeObject, ObjectRef } from '../cluster/types.ts';
import type { Db } from '../db/open.ts';
import { inventory } from '../db/revisions.ts';
import { getState } from '../db/state.ts';
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
  #timer: NodeJS.Timeout | null = null;
  #refreshing: Promise<void> | null = null;

  constructor(db: Db, cluster: ClusterClient, log: Logger) {
    this.#db = db;
    this.#cluster = cluster;
    this.#log = log;
  }

  snapshot(): LiveSnapshot {
    return this.#snapshot;
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.refresh(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One list per kind (label-selected), not one get per object: cheap on a node with thousands of objects. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    const lkg = getState<LkgPointer>(this.#db, 'lkg_revision');
    const refs = lkg ? inventory(this.#db, lkg.revisionId) : [];
    const byKind = new Map<string, ObjectRef[]>();
    for (const r of refs) {
      const k = `${r.apiVersion}\u0000${r.kind}`;
      byKind.set(k, [...(byKind.get(k) ?? []), r]);
    }
    try {
      const objects: LiveObject[] = [];
      for (const group of byKind.values()) {
        const first = group[0] as ObjectRef;
        const live = await this.#cluster.list(first.apiVersion, first.kind, {
          labelSelector: `${MANAGED_BY}=outpost`,
        });
        const index = new Map<string, KubeObject>(
          live.map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]),
        );
        for (const ref of group) {
          const obj = index.get(`${ref.namespace ?? ''}/${ref.name}`) ?? null;
          objects.push({ ref, health: healthOf(obj, ref.apiVersion, ref.kind) });
        }
      }
      this.#snapshot = { objects, refreshedAt: new Date().toISOString(), error: null };
    } catch (err) {
      this.#log.warn({ err }, 'live view refresh failed');
      this.#snapshot = { ...this.#snapshot, error: (err as Error).message };
    }
  }
}
