// StatefulSet health: every replica ready and on the current revision.
import { type Health, staleGeneration } from './types.ts';

export function statefulSetHealth(obj: Record<string, unknown>): Health {
  const want = (obj.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const s = (obj.status ?? {}) as {
    readyReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
  if (staleGeneration(obj))
    return { status: 'Progressing', message: 'waiting for the controller to see the change' };
  const ready = s.readyReplicas ?? 0;
  if ((s.updatedReplicas ?? 0) < want)
    return { status: 'Progressing', message: `${s.updatedReplicas ?? 0} of ${want} replicas updated` };
  if (ready < want) return { status: 'Progressing', message: `${ready} of ${want} replicas ready` };
  return { status: 'Healthy', message: `${ready} of ${want} replicas ready` };
}
