// StatefulSet health: every replica ready and on the current revision.

import { said } from './phrases.ts';
import { type Health, staleGeneration } from './types.ts';

export function statefulSetHealth(obj: Record<string, unknown>): Health {
  const want = (obj.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const s = (obj.status ?? {}) as {
    readyReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
  if (staleGeneration(obj)) return said('Progressing', 'waitingController');
  const ready = s.readyReplicas ?? 0;
  if ((s.updatedReplicas ?? 0) < want)
    return said('Progressing', 'replicasUpdated', { n: s.updatedReplicas ?? 0, of: want });
  if (ready < want) return said('Progressing', 'replicasReady', { n: ready, of: want });
  return said('Healthy', 'replicasReady', { n: ready, of: want });
}
