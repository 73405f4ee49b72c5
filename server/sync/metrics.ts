// Prometheus metrics of the sync loop, registered on a registry the composition root owns.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SyncMetrics {
  runs: Counter<'result' | 'reason'>;
  duration: Histogram<'result'>;
  lastRun: Gauge<'result'>;
  appliedObjects: Gauge;
  upstreamReachable: Gauge;
  upstreamFailures: Gauge;
  upstreamLastContact: Gauge;
  upstreamLastChange: Gauge;
  inProgress: Gauge;
}

export function createSyncMetrics(registry: Registry): SyncMetrics {
  const registers = [registry];
  return {
    runs: new Counter({
      name: 'outpost_sync_runs_total',
      help: 'Sync runs by result and failure reason',
      labelNames: ['result', 'reason'],
      registers,
    }),
    duration: new Histogram({
      name: 'outpost_sync_duration_seconds',
      help: 'Duration of sync runs',
      labelNames: ['result'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    lastRun: new Gauge({
      name: 'outpost_sync_last_run_timestamp_seconds',
      help: 'Unix time the last sync run finished, by result',
      labelNames: ['result'],
      registers,
    }),
    appliedObjects: new Gauge({
      name: 'outpost_applied_objects',
      help: 'Objects in the last-known-good revision',
      registers,
    }),
    upstreamReachable: new Gauge({
      name: 'outpost_upstream_reachable',
      help: '1 when the last fetch reached the upstream, else 0',
      registers,
    }),
    upstreamFailures: new Gauge({
      name: 'outpost_upstream_consecutive_failures',
      help: 'Polls in a row that could not reach the upstream',
      registers,
    }),
    upstreamLastContact: new Gauge({
      name: 'outpost_upstream_last_contact_timestamp_seconds',
      help: 'Unix time the upstream last answered',
      registers,
    }),
    upstreamLastChange: new Gauge({
      name: 'outpost_upstream_last_change_timestamp_seconds',
      help: 'Unix time the upstream last published a different revision',
      registers,
    }),
    inProgress: new Gauge({ name: 'outpost_sync_in_progress', help: '1 while a sync runs', registers }),
  };
}
