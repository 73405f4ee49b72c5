// Prometheus metrics of the sync loop, registered on a registry the composition root owns.
import { Counter, Gauge, Histogram, type Registry } from '../metrics.ts';
import { HEALTH_STATES, type NodeState, SYNC_STATES } from './node-state.ts';

export interface SyncMetrics {
  runs: Counter;
  duration: Histogram;
  lastRun: Gauge;
  appliedObjects: Gauge;
  upstreamReachable: Gauge;
  upstreamBroken: Gauge;
  upstreamFailures: Gauge;
  upstreamLastFullFetch: Gauge;
  upstreamLastContact: Gauge;
  upstreamLastChange: Gauge;
  inProgress: Gauge;
  storeDamaged: Gauge;
}

export function createSyncMetrics(registry: Registry): SyncMetrics {
  const gauge = (name: string, help: string, labels: string[] = []) =>
    registry.register(new Gauge(name, help, labels));
  return {
    runs: registry.register(
      new Counter('outpost_sync_runs_total', 'Sync runs by result and failure reason', ['result', 'reason']),
    ),
    duration: registry.register(
      new Histogram(
        'outpost_sync_duration_seconds',
        'Duration of sync runs',
        ['result'],
        [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
      ),
    ),
    lastRun: gauge(
      'outpost_sync_last_run_timestamp_seconds',
      'Unix time the last sync run finished, by result',
      ['result'],
    ),
    appliedObjects: gauge('outpost_applied_objects', 'Objects in the last-known-good revision'),
    upstreamReachable: gauge(
      'outpost_upstream_reachable',
      '1 when the last fetch reached the upstream, else 0',
    ),
    upstreamBroken: gauge(
      'outpost_upstream_broken',
      '1 when the upstream answered the last fetch, but not with usable content, else 0',
    ),
    upstreamFailures: gauge(
      'outpost_upstream_consecutive_failures',
      'Polls in a row that failed (upstream unreachable or broken)',
    ),
    upstreamLastFullFetch: gauge(
      'outpost_upstream_last_full_fetch_timestamp_seconds',
      'Unix time a poll last downloaded the whole content and compared its digest',
    ),
    upstreamLastContact: gauge(
      'outpost_upstream_last_contact_timestamp_seconds',
      'Unix time the upstream last answered',
    ),
    upstreamLastChange: gauge(
      'outpost_upstream_last_change_timestamp_seconds',
      'Unix time the upstream last published a different revision',
    ),
    inProgress: gauge('outpost_sync_in_progress', '1 while a sync runs'),
    storeDamaged: gauge(
      'outpost_store_damaged',
      '1 when the local store is damaged (start-up integrity check, or the running revision unreadable): syncs stop with StoreCorrupt',
    ),
  };
}

/**
 * The node state on /metrics, the same model the console shows: one series per possible value, 1 for the current
 * one (`outpost_state{overall,word}`, `outpost_sync_state{state}`, `outpost_health_state{state}`), so an alert
 * can say `outpost_sync_state{state="held"} == 1`.
 */
export function stateMetrics(registry: Registry, read: () => NodeState): void {
  const overall = registry.register(
    new Gauge('outpost_state', 'The overall state: 1 for the current colour and word', ['overall', 'word']),
  );
  const sync = registry.register(
    new Gauge('outpost_sync_state', 'Sync: 1 for the current answer (synced, applying, held, …)', ['state']),
  );
  const health = registry.register(
    new Gauge('outpost_health_state', 'Health of the live objects: 1 for the current answer', ['state']),
  );
  registry.beforeScrape(() => {
    const s = read();
    overall.reset();
    overall.set({ overall: s.overall, word: s.word }, 1);
    for (const v of SYNC_STATES) sync.set({ state: v }, v === s.sync.state ? 1 : 0);
    for (const v of HEALTH_STATES) health.set({ state: v }, v === s.health.state ? 1 : 0);
  });
}
