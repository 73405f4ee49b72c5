// Output order: kustomize's "legacy" order (Namespaces and CRDs first, webhooks last), or input order (fifo).

import { byText } from '../../order.ts';
import { curId, type Gvk, type Res, type ResId } from './resource.ts';

const ORDER_FIRST = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function gvkKey(g: Gvk): string {
  return [g.group || '~G', g.version || '~V', g.kind || '~K'].join('_');
}

function sortKey(id: ResId): string {
  const gvk = [id.gvk.kind || '~K', id.gvk.version || '~V', id.gvk.group || '~G'].join('.');
  return [gvk, id.namespace || '~X', id.name || '~N'].join('|');
}

const cmp = byText;

export function legacySort(list: Res[], first = ORDER_FIRST, last = ORDER_LAST): Res[] {
  const rank = new Map<string, number>();
  first.forEach((k, i) => {
    rank.set(k, -first.length + i);
  });
  last.forEach((k, i) => {
    rank.set(k, 1 + i);
  });
  const keyed = list.map((r) => {
    const id = curId(r);
    return { r, id, gvk: gvkKey(id.gvk), key: sortKey(id) };
  });
  keyed.sort((a, b) => {
    const ga = a.id.gvk;
    const gb = b.id.gvk;
    if (a.gvk !== b.gvk) {
      const ra = rank.get(ga.kind) ?? 0;
      const rb = rank.get(gb.kind) ?? 0;
      if (ra !== rb) return ra - rb;
      // Core Namespaces sort after other groups' Namespace kinds, as kustomize does.
      if (ga.kind === 'Namespace' && gb.kind === 'Namespace' && (ga.group === '' || gb.group === '')) {
        return cmp(b.gvk, a.gvk);
      }
      return cmp(a.gvk, b.gvk);
    }
    return cmp(a.key, b.key);
  });
  return keyed.map((k) => k.r);
}
