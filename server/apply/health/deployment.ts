// Deployment health: all desired replicas updated and available, and no progress deadline exceeded.

import { said } from './phrases.ts';
import { condition, type Health, staleGeneration } from './types.ts';

export function deploymentHealth(obj: Record<string, unknown>): Health {
  const spec = obj.spec as { replicas?: number } | undefined;
  const status = (obj.status ?? {}) as {
    updatedReplicas?: number;
    availableReplicas?: number;
    replicas?: number;
  };
  const want = spec?.replicas ?? 1;
  // A status the controller wrote for an older spec says nothing of this one: a rollback applied over a rollout
  // that timed out still carries that rollout's ProgressDeadlineExceeded until the controller catches up.
  if (staleGeneration(obj)) return said('Progressing', 'waitingController');
  const progressing = condition(obj, 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return progressing.message
      ? { status: 'Degraded', message: progressing.message }
      : said('Degraded', 'rolloutTimeout');
  }
  const available = status.availableReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  if (updated < want) return said('Progressing', 'replicasUpdated', { n: updated, of: want });
  if ((status.replicas ?? 0) > updated) return said('Progressing', 'oldTerminating');
  if (available < want) return said('Progressing', 'replicasAvailable', { n: available, of: want });
  return said('Healthy', 'replicasAvailable', { n: available, of: want });
}
