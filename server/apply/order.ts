// Apply order: what others depend on goes first (CRDs, Namespaces, RBAC, config), webhooks last.
import type { KubeObject } from '../cluster/types.ts';
import { byText } from '../order.ts';

const RANK: Record<string, number> = {
  CustomResourceDefinition: 0,
  Namespace: 1,
  ResourceQuota: 2,
  LimitRange: 2,
  PriorityClass: 2,
  StorageClass: 2,
  ServiceAccount: 3,
  ClusterRole: 3,
  Role: 3,
  ClusterRoleBinding: 4,
  RoleBinding: 4,
  Secret: 5,
  ConfigMap: 5,
  PersistentVolume: 6,
  PersistentVolumeClaim: 6,
  Service: 7,
  NetworkPolicy: 7,
  DaemonSet: 8,
  Deployment: 8,
  StatefulSet: 8,
  ReplicaSet: 8,
  Pod: 8,
  Job: 8,
  CronJob: 8,
  HorizontalPodAutoscaler: 9,
  PodDisruptionBudget: 9,
  Ingress: 9,
  MutatingWebhookConfiguration: 12,
  ValidatingWebhookConfiguration: 12,
};
const CUSTOM = 10;

export function rankOf(o: { kind: string }): number {
  return RANK[o.kind] ?? CUSTOM;
}

/** Stable sort by rank, then kind, namespace, name — the same input always applies in the same order. */
export function orderObjects(objects: KubeObject[]): KubeObject[] {
  return [...objects].sort(
    (a, b) =>
      rankOf(a) - rankOf(b) ||
      byText(a.kind, b.kind) ||
      byText(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
      byText(a.metadata.name, b.metadata.name),
  );
}
