// Server-side apply of an ordered plan, one object at a time, classifying each result.
import { isDeepStrictEqual } from 'node:util';
import type { ClusterClient, KubeObject } from '../cluster/types.ts';
import { refOf, refString } from '../cluster/types.ts';
import type { Change } from '../db/runs.ts';
import { ApplyError } from './errors.ts';
import { FIELD_MANAGER, withOwnerLabels } from './labels.ts';
import { isFoundation } from './order.ts';

export interface ApplyReport {
  changes: Change[];
  failed?: ApplyError;
}

const ESTABLISH_WAIT_MS = 30_000;

async function waitEstablished(cluster: ClusterClient, crd: KubeObject): Promise<void> {
  const deadline = Date.now() + ESTABLISH_WAIT_MS;
  while (Date.now() < deadline) {
    const live = await cluster.get(refOf(crd));
    const conds = (live?.status as { conditions?: { type: string; status: string }[] })?.conditions ?? [];
    if (conds.some((c) => c.type === 'Established' && c.status === 'True')) {
      cluster.invalidateDiscovery();
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ApplyError(`${refString(refOf(crd))}: not established within ${ESTABLISH_WAIT_MS / 1000}s`);
}

/** Fields the server owns or bumps by itself: never part of "did our apply change anything". */
function content(obj: KubeObject): unknown {
  const { resourceVersion, managedFields, generation, creationTimestamp, uid, ...meta } = obj.metadata;
  const { status, ...rest } = obj;
  return { ...rest, metadata: meta };
}

export function sameContent(a: KubeObject, b: KubeObject): boolean {
  return isDeepStrictEqual(content(a), content(b));
}

/**
 * Applies objects in order. An object whose server-side dry-run result equals the live object is
 * skipped: an unchanged resync writes nothing. Stops at the first failure: later objects may
 * depend on the failed one, and the reconciler rolls back anyway.
 */
export async function applyAll(cluster: ClusterClient, objects: KubeObject[]): Promise<ApplyReport> {
  const changes: Change[] = [];
  for (const obj of objects) {
    const ref = refOf(obj);
    const id = refString(ref);
    const desired = withOwnerLabels(obj);
    try {
      const live = await cluster.get(ref);
      let action: Change['action'] = 'created';
      if (live) {
        const preview = await cluster.apply(desired, {
          fieldManager: FIELD_MANAGER,
          force: true,
          dryRun: true,
        });
        action = sameContent(live, preview) ? 'unchanged' : 'configured';
      }
      if (action !== 'unchanged') await cluster.apply(desired, { fieldManager: FIELD_MANAGER, force: true });
      changes.push({ ref: id, action });
      if (obj.kind === 'CustomResourceDefinition') await waitEstablished(cluster, obj);
      else if (isFoundation(obj)) cluster.invalidateDiscovery();
    } catch (err) {
      const error =
        err instanceof ApplyError ? err : new ApplyError(`${id}: ${(err as Error).message}`, { cause: err });
      changes.push({ ref: id, action: 'failed', error: error.message });
      return { changes, failed: error };
    }
  }
  return { changes };
}
