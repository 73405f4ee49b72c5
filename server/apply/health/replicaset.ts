// ReplicaSet health: all desired replicas available.
import { type Health, staleGeneration } from './types.ts';

export function replicaSetHealth(obj: Record<string, unknown>): Health {
  const want = (obj.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const available = (obj.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0;
  if (staleGeneration(obj))
    return { status: 'Progressing', message: 'waiting for the controller to see the change' };
  if (available < want)
    return { status: 'Progressing', message: `${available} of ${want} replicas available` };
  return { status: 'Healthy', message: `${available} of ${want} replicas available` };
}
