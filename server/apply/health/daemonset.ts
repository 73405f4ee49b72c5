// DaemonSet health: every scheduled node runs an updated, available pod.

import { said } from './phrases.ts';
import { type Health, staleGeneration } from './types.ts';

export function daemonSetHealth(obj: Record<string, unknown>): Health {
  const s = (obj.status ?? {}) as {
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
  };
  if (staleGeneration(obj)) return said('Progressing', 'waitingController');
  const want = s.desiredNumberScheduled ?? 0;
  if ((s.updatedNumberScheduled ?? 0) < want)
    return said('Progressing', 'podsUpdated', { n: s.updatedNumberScheduled ?? 0, of: want });
  if ((s.numberAvailable ?? 0) < want)
    return said('Progressing', 'podsAvailable', { n: s.numberAvailable ?? 0, of: want });
  return said('Healthy', 'podsAvailable', { n: want, of: want });
}
