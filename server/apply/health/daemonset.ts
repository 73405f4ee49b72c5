// DaemonSet health: every scheduled node runs an updated, available pod.
import { type Health, staleGeneration } from './types.ts';

export function daemonSetHealth(obj: Record<string, unknown>): Health {
  const s = (obj.status ?? {}) as {
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
  };
  if (staleGeneration(obj))
    return { status: 'Progressing', message: 'waiting for the controller to see the change' };
  const want = s.desiredNumberScheduled ?? 0;
  if ((s.updatedNumberScheduled ?? 0) < want)
    return { status: 'Progressing', message: `${s.updatedNumberScheduled ?? 0} of ${want} pods updated` };
  if ((s.numberAvailable ?? 0) < want)
    return { status: 'Progressing', message: `${s.numberAvailable ?? 0} of ${want} pods available` };
  return { status: 'Healthy', message: `${want} of ${want} pods available` };
}
