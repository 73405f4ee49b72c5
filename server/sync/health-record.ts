// The server's last reading of live health, kept in the store so `outpost status` (another process, which must
// answer in well under a second and never waits for the cluster) shows the same state as the page.
import type { Db } from '../db/open.ts';
import { getState, setState } from '../db/state.ts';
import type { NodeStateInputs } from './node-state.ts';

export type HealthRecord = Pick<NodeStateInputs, 'health' | 'liveError' | 'failing' | 'degraded'> & {
  at: string;
};

/** Written only when the reading changed: a steady node writes nothing. Returns whether it wrote. */
export function recordHealth(db: Db, i: NodeStateInputs, now = new Date()): boolean {
  const reading = {
    health: i.health,
    liveError: i.liveError,
    failing: i.failing,
    degraded: i.degraded ?? [],
  };
  const last = getState<HealthRecord>(db, 'live_health');
  if (last && JSON.stringify({ ...last, at: undefined }) === JSON.stringify({ ...reading, at: undefined }))
    return false;
  setState(db, 'live_health', { ...reading, at: now.toISOString() } satisfies HealthRecord);
  return true;
}

export function readHealth(db: Db): HealthRecord | null {
  return getState<HealthRecord>(db, 'live_health');
}
