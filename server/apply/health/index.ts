// Health dispatcher keyed by group/kind; objects without a specific check use Ready, or are healthy once present.
import { crdHealth } from './crd.ts';
import { daemonSetHealth } from './daemonset.ts';
import { deploymentHealth } from './deployment.ts';
import { helmChartHealth } from './helmchart.ts';
import { jobHealth } from './job.ts';
import { namespaceHealth } from './namespace.ts';
import { said } from './phrases.ts';
import { podHealth } from './pod.ts';
import { pvcHealth } from './pvc.ts';
import { replicaSetHealth } from './replicaset.ts';
import { serviceHealth } from './service.ts';
import { statefulSetHealth } from './statefulset.ts';
import { condition, type Health, type HealthCheck } from './types.ts';

export { helmChartJobName } from './helmchart.ts';
export type { Health, HealthStatus } from './types.ts';
export { worstFirst } from './types.ts';

const CHECKS: Record<string, HealthCheck> = {
  'apps/Deployment': deploymentHealth,
  'apps/StatefulSet': statefulSetHealth,
  'apps/DaemonSet': daemonSetHealth,
  'apps/ReplicaSet': replicaSetHealth,
  '/Pod': podHealth,
  'batch/Job': jobHealth,
  '/PersistentVolumeClaim': pvcHealth,
  '/Service': serviceHealth,
  '/Namespace': namespaceHealth,
  'apiextensions.k8s.io/CustomResourceDefinition': crdHealth,
  'helm.cattle.io/HelmChart': helmChartHealth,
};

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
}

/** Kinds with no status at all: being there is all their health, so their bodies need not be read. */
const STATUSLESS = new Set([
  'v1/ConfigMap',
  'v1/Secret',
  'v1/ServiceAccount',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
  'networking.k8s.io/v1/NetworkPolicy',
  'scheduling.k8s.io/v1/PriorityClass',
  'v1/LimitRange',
]);

export function presenceIsHealth(apiVersion: string, kind: string): boolean {
  return STATUSLESS.has(`${apiVersion}/${kind}`);
}

/** The health of an object whose presence is all there is to know. */
export function presenceHealth(present: boolean): Health {
  return present ? said('Healthy', 'present') : said('Degraded', 'missing');
}

export function hasSpecificCheck(apiVersion: string, kind: string): boolean {
  return `${groupOf(apiVersion)}/${kind}` in CHECKS;
}

export function healthOf(
  obj: Record<string, unknown> | null,
  apiVersion: string,
  kind: string,
  related?: Record<string, unknown> | null,
): Health {
  if (!obj) return presenceHealth(false);
  const check = CHECKS[`${groupOf(apiVersion)}/${kind}`];
  if (check) return check(obj, related);
  const ready = condition(obj, 'Ready');
  if (ready) {
    return ready.status === 'True'
      ? ready.message
        ? { status: 'Healthy', message: ready.message }
        : said('Healthy', 'ready')
      : (ready.message ?? ready.reason)
        ? { status: 'Progressing', message: (ready.message ?? ready.reason) as string }
        : said('Progressing', 'notReady');
  }
  return presenceHealth(true);
}
