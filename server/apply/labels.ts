// Owner labels: how Outpost marks what it applied, and the only thing prune trusts before deleting.
import type { KubeObject } from '../cluster/types.ts';

export const FIELD_MANAGER = 'outpost';
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const PRUNE_ANNOTATION = 'outpost.io/prune';

export function withOwnerLabels(obj: KubeObject): KubeObject {
  return {
    ...obj,
    metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, [MANAGED_BY]: 'outpost' } },
  };
}

export function isOwned(obj: KubeObject): boolean {
  return obj.metadata.labels?.[MANAGED_BY] === 'outpost';
}
