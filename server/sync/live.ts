// In-memory view of the live state of what Outpost applied: informers per applied kind keep it current, and
// kinds that cannot be watched (not listable, say) are read in the background, so pages never wait.
import type { Logger } from 'pino';
import { type Health, healthOf, presenceHealth, presenceIsHealth } from '../apply/health/index.ts';
import { MANAGED_BY } from '../apply/labels.ts';
import { readLive, readPresence } from '../apply/live.ts';
import type { KubeConfig } from '../cluster/kubeconfig.ts';
import type { ClusterClient, KubeObject, ObjectRef } from '../cluster/types.ts';
import { refString } from '../cluster/types.ts';
import { CHANGE_BATCH_MS, type Informer, startInformer } from '../cluster/watch.ts';
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

/** Only what presence needs: a ConfigMap's data never sits in the cache. */
function metadataOnly(o: KubeObject): KubeObject {
  const m = o.metadata;
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
      ...(m.generation !== undefined ? { generation: m.generation } : {}),
    },
  };
}

const kindKey = (r: ObjectRef) => `${r.apiVersion} ${r.kind}`;

export class LiveView extends Refreshing {
  #snapshot: LiveSnapshot = { objects: [], refreshedAt: null, error: null };
  #running: RunningInventory;
  #cluster: ClusterClient;
  #log: Logger;
  #kc: KubeConfig | null = null;
  /** One informer per applied kind, label-selected to what Outpost owns; null while it cannot be started. */
  #informers = new Map<string, Promise<Informer | null>>();
  /** Health of objects of kinds no informer covers, from the last background read. */
  #read = new Map<string, Health>();
  #readAt: string | null = null;
  #readError: string | null = null;
  #queued = false;
  #stopped = false;
  /** Bumped on every refresh: lets the web layer cache what it rendered from us. */
  version = 0;

  constructor(running: RunningInventory, cluster: ClusterClient, log: Logger) {
    super();
    this.#running = running;
    this.#cluster = cluster;
    this.#log = log;
  }

  snapshot(): LiveSnapshot {
    return this.#snapshot;
  }

  /** From now on applied kinds are watched; a change rebuilds the view at once, without an API request. */
  follow(kc: KubeConfig): void {
    this.#kc = kc;
    void this.refresh();
  }

  async stopWatches(): Promise<void> {
    // No informer is started or heard from again: the store may close next.
    this.#kc = null;
    this.#stopped = true;
    const all = [...this.#informers.values()];
    this.#informers.clear();
    for (const i of await Promise.all(all)) await i?.stop();
  }

  #changed(): void {
    if (this.#queued || this.#stopped) return;
    this.#queued = true;
    setTimeout(() => {
      this.#queued = false;
      if (!this.#stopped) this.#rebuild(this.#running.refs());
    }, CHANGE_BATCH_MS);
  }

  /** Informers for the kinds in `refs`, started on first need and stopped when no applied object has the kind. */
  async #watchKinds(refs: ObjectRef[]): Promise<void> {
    const kc = this.#kc;
    if (!kc) return;
    const wanted = new Map(refs.map((r) => [kindKey(r), r]));
    for (const [key, inf] of this.#informers) {
      if (wanted.has(key)) continue;
      this.#informers.delete(key);
      void inf.then((i) => i?.stop());
    }
    for (const [key, r] of wanted) {
      if (this.#informers.has(key)) continue;
      const started = this.#cluster
        .resource(r.apiVersion, r.kind)
        .then((info) => {
          const prefix = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
          return startInformer(kc, `${prefix}/${info.plural}`, {
            labelSelector: `${MANAGED_BY}=outpost`,
            ...(presenceIsHealth(r.apiVersion, r.kind) ? { keep: metadataOnly } : {}),
            onChange: () => this.#changed(),
            onError: (err) => this.#log.debug({ err, kind: key }, 'live watch error'),
          });
        })
        .catch(() => {
          // A kind the cluster does not know yet (its CRD comes with this revision): tried again next refresh.
          this.#informers.delete(key);
          return null;
        });
      this.#informers.set(key, started);
    }
    await Promise.all(this.#informers.values());
  }

  /** The cache of a kind once its informer has listed; otherwise null (the kind is read instead). */
  #cached(key: string, settled: Map<string, Informer | null>): Map<string, KubeObject> | null {
    const inf = settled.get(key);
    const st = inf?.status();
    // A cache whose watch is down still answers, with its age and why (shown on the page).
    if (!inf || !st?.synced) return null;
    return new Map(inf.list().map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
  }

  #settled = new Map<string, Informer | null>();

  /** The view from the caches and the last background read: no I/O. */
  #rebuild(refs: ObjectRef[]): void {
    const caches = new Map<string, Map<string, KubeObject> | null>();
    const objects = refs.map((ref) => {
      const key = kindKey(ref);
      if (!caches.has(key)) caches.set(key, this.#cached(key, this.#settled));
      const cache = caches.get(key);
      if (!cache)
        return {
          ref,
          health: this.#read.get(refString(ref)) ?? { status: 'Unknown', message: 'not read yet' },
        };
      const live = cache.get(`${ref.namespace ?? ''}/${ref.name}`) ?? null;
      const health = presenceIsHealth(ref.apiVersion, ref.kind)
        ? presenceHealth(live !== null)
        : healthOf(live, ref.apiVersion, ref.kind);
      return { ref, health };
    });
    // The view is as old as its oldest part: a watch that is down, or the background read.
    let at = Date.now();
    let error: string | null = null;
    for (const [key, cache] of caches) {
      const st = cache ? this.#settled.get(key)?.status() : null;
      if (!cache) {
        at = Math.min(at, this.#readAt ? Date.parse(this.#readAt) : 0);
        error ??= this.#readError;
      } else if (st?.error) {
        at = Math.min(at, st.currentAt ?? 0);
        error ??= st.error;
      }
    }
    // The version moves only when what a page shows moved: a quiet tick does not make open pages refresh.
    const signature = `${error}\n${objects.map((o) => `${refString(o.ref)} ${o.health.status} ${o.health.message}`).join('\n')}`;
    this.#snapshot = { objects, refreshedAt: at > 0 ? new Date(at).toISOString() : null, error };
    if (signature === this.#signature) return;
    this.#signature = signature;
    this.version++;
  }

  #signature = '';

  protected async update(): Promise<void> {
    const refs = this.#running.refs();
    await this.#watchKinds(refs);
    this.#settled = new Map(
      await Promise.all([...this.#informers].map(async ([k, p]) => [k, await p] as const)),
    );
    // Kinds without a current cache are read as the apply reads them.
    // Whether a kind has a current cache is asked once per kind, not once per object (a cache copy is O(objects)).
    const current = new Map<string, boolean>();
    const watched = (key: string) => {
      let known = current.get(key);
      if (known === undefined) {
        const st = this.#settled.get(key)?.status();
        known = st?.synced === true;
        current.set(key, known);
      }
      return known;
    };
    const unwatched = refs.filter((r) => !watched(kindKey(r)));
    if (unwatched.length > 0 || !this.#kc) {
      try {
        // Kinds without a status only need to be there: their names are enough. The rest are read in bulk as the
        // apply reads them: one labelled LIST per kind, single GETs only for what that list does not show.
        const statusless = unwatched.filter((r) => presenceIsHealth(r.apiVersion, r.kind));
        const present = await readPresence(this.#cluster, statusless);
        const live = await readLive(
          this.#cluster,
          unwatched.filter((r) => !presenceIsHealth(r.apiVersion, r.kind)),
        );
        this.#read = new Map(
          unwatched.map((ref) => {
            const key = refString(ref);
            const health = presenceIsHealth(ref.apiVersion, ref.kind)
              ? presenceHealth(present.has(key))
              : healthOf(live.get(key) ?? null, ref.apiVersion, ref.kind);
            return [key, health];
          }),
        );
        this.#readAt = new Date().toISOString();
        this.#readError = null;
      } catch (err) {
        this.#log.warn({ err }, 'live view refresh failed');
        this.#readError = (err as Error).message;
      }
    }
    this.#rebuild(refs);
  }
}
