// PersistentVolumeClaim health: Bound is healthy; Lost is degraded; Pending waits (local-path binds on first use).

import { said } from './phrases.ts';
import type { Health } from './types.ts';

export function pvcHealth(obj: Record<string, unknown>): Health {
  const phase = (obj.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Bound') return said('Healthy', 'bound');
  if (phase === 'Lost') return said('Degraded', 'volumeLost');
  return said('Progressing', 'claimPhase', { phase: phase ?? 'pending' });
}
