// The server's last reading of live health, kept in the store so `outpost status` (another process, which must
// answer in well under a second and never waits for the cluster) shows the same state as the page.
import type { Db } from '../db/open.ts';
import { stateCell } from '../db/state.ts';
import type { NodeStateInputs } from './node-state.ts';

export type HealthRecord = Pick<NodeStateInputs, 'health' | 'liveError' | 'failing' | 'degraded'> & {
  at: string;
};

/** Private to this module: the CLI reads it through `readHealth`. */
const liveHealth = stateCell<HealthRecord>('live_health');

/** Written only when the reading changed: a steady node writes nothing. Returns whether it wrote. */
export function recordHealth(db: Db, i: NodeStateInputs, now = new Date()): boolean {
  const reading = {
    health: i.health,
    liveError: i.liveError,
    failing: i.failing,
    degraded: i.degraded ?? [],
  };
  const last = liveHealth.get(db);
  if (last && JSON.stringify({ ...last, at: undefined }) === JSON.stringify({ ...reading, at: undefined }))
    return false;
  liveHealth.set(db, { ...reading, at: now.toISOString() }, now);
  return true;
}

export function readHealth(db: Db): HealthRecord | null {
  return liveHealth.get(db);
}
