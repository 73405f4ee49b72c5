// Health dispatcher keyed by group/kind; objects without a specific check are healthy once they exist.
import { daemonSetHealth } from './daemonset.ts';
import { deploymentHealth } from './deployment.ts';
import { statefulSetHealth } from './statefulset.ts';
import { condition, type Health, type HealthCheck } from './types.ts';

export type { Health, HealthStatus } from './types.ts';

const CHECKS: Record<string, HealthCheck> = {
  'apps/Deployment': deploymentHealth,
  'apps/StatefulSet': statefulSetHealth,
  'apps/DaemonSet': daemonSetHealth,
};

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
}

export function healthOf(obj: Record<string, unknown> | null, apiVersion: string, kind: string): Health {
  if (!obj) return { status: 'Degraded', message: 'missing from the cluster' };
  const check = CHECKS[`${groupOf(apiVersion)}/${kind}`];
  if (check) return check(obj);
  const ready = condition(obj, 'Ready');
  if (ready) {
    return ready.status === 'True'
      ? { status: 'Healthy', message: ready.message ?? 'ready' }
      : { status: 'Progressing', message: ready.message ?? ready.reason ?? 'not ready yet' };
  }
  return { status: 'Healthy', message: 'present' };
}
