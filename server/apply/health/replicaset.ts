// ReplicaSet health: all desired replicas available.

import { said } from './phrases.ts';
import { type Health, staleGeneration } from './types.ts';

export function replicaSetHealth(obj: Record<string, unknown>): Health {
  const want = (obj.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const available = (obj.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0;
  if (staleGeneration(obj)) return said('Progressing', 'waitingController');
  if (available < want) return said('Progressing', 'replicasAvailable', { n: available, of: want });
  return said('Healthy', 'replicasAvailable', { n: available, of: want });
}
