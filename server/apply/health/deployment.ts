// Deployment health: all desired replicas updated and available, and no progress deadline exceeded.
import { condition, type Health, staleGeneration } from './types.ts';

export function deploymentHealth(obj: Record<string, unknown>): Health {
  const spec = obj.spec as { replicas?: number } | undefined;
  const status = (obj.status ?? {}) as {
    updatedReplicas?: number;
    availableReplicas?: number;
    replicas?: number;
  };
  const want = spec?.replicas ?? 1;
  const progressing = condition(obj, 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return { status: 'Degraded', message: progressing.message ?? 'rollout did not finish in time' };
  }
  if (staleGeneration(obj))
    return { status: 'Progressing', message: 'waiting for the controller to see the change' };
  const available = status.availableReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  if (updated < want) return { status: 'Progressing', message: `${updated} of ${want} replicas updated` };
  if ((status.replicas ?? 0) > updated)
    return { status: 'Progressing', message: 'old replicas are terminating' };
  if (available < want)
    return { status: 'Progressing', message: `${available} of ${want} replicas available` };
  return { status: 'Healthy', message: `${available} of ${want} replicas available` };
}
