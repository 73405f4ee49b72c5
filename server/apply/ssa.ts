// Server-side apply of an ordered plan: staged by rank, concurrent within a stage, no-op applies skipped.
import { isDeepStrictEqual } from 'node:util';
import type { ClusterClient, KubeObject } from '../cluster/types.ts';
import { refOf, refString } from '../cluster/types.ts';
import type { AppliedVersion } from '../db/revisions.ts';
import { mapPool } from '../pool.ts';
import type { Change } from './changes.ts';
import { ApplyError } from './errors.ts';
import { FIELD_MANAGER, withOwnerLabels } from './labels.ts';
import { readLive } from './live.ts';
import { rankOf } from './order.ts';
import { versionOf } from './versions.ts';

export interface ApplyOptions {
  /** Take fields another manager owns (config `conflicts: force`); by default such a conflict fails the apply. */
  forceConflicts?: boolean;
  concurrency?: number;
  /** What a whole-set dry run already found per object (refString → action): no second dry run for those. */
  planned?: ReadonlyMap<string, 'created' | 'configured' | 'unchanged'>;
  /** The live versions that dry run found holding unchanged objects (refString → version). */
  verified?: ReadonlyMap<string, AppliedVersion>;
}

export interface ApplyReport {
  changes: Change[];
  /** Each object's live version known to hold what was sent (refString → version), for the next run's shortcut. */
  versions: Map<string, AppliedVersion>;
  failed?: ApplyError;
}

const ESTABLISH_WAIT_MS = 30_000;

async function waitEstablished(cluster: ClusterClient, crd: KubeObject): Promise<void> {
  const deadline = Date.now() + ESTABLISH_WAIT_MS;
  while (Date.now() < deadline) {
    const live = await cluster.get(refOf(crd));
    const conds = (live?.status as { conditions?: { type: string; status: string }[] })?.conditions ?? [];
    if (conds.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ApplyError(`${refString(refOf(crd))}: not established within ${ESTABLISH_WAIT_MS / 1000}s`);
}

/** The object without what the server owns or bumps by itself: never part of "did our apply change anything". */
export function comparable(obj: KubeObject): unknown {
  const { resourceVersion, managedFields, generation, creationTimestamp, uid, ...meta } = obj.metadata;
  const { status, ...rest } = obj;
  return { ...rest, metadata: meta };
}

export function sameContent(a: KubeObject, b: KubeObject): boolean {
  return isDeepStrictEqual(comparable(a), comparable(b));
}

/** Consecutive objects of the same rank form a stage; a stage finishes before the next starts. */
function stages(objects: KubeObject[]): KubeObject[][] {
  const out: KubeObject[][] = [];
  for (const o of objects) {
    const last = out[out.length - 1];
    if (last && rankOf(last[0] as KubeObject) === rankOf(o)) last.push(o);
    else out.push([o]);
  }
  return out;
}

/**
 * Applies objects (already in apply order). An object whose server-side dry-run equals the live object is
 * skipped, so an unchanged resync writes nothing. CRDs are waited for until established before the next
 * stage. The first failing stage stops the apply: later stages may depend on it, and the reconciler rolls
 * back anyway.
 */
export async function applyAll(
  cluster: ClusterClient,
  objects: KubeObject[],
  opts: ApplyOptions = {},
): Promise<ApplyReport> {
  const concurrency = opts.concurrency ?? 8;
  const apply = { fieldManager: FIELD_MANAGER, force: opts.forceConflicts ?? false };
  const changes: Change[] = [];
  const versions = new Map<string, AppliedVersion>();
  let live: Awaited<ReturnType<typeof readLive>>;
  try {
    // Only what the plan did not already decide needs reading.
    const unplanned = objects.map(refOf).filter((r) => !opts.planned?.has(refString(r)));
    live = await readLive(cluster, unplanned, concurrency);
  } catch (err) {
    return {
      changes,
      versions,
      failed: new ApplyError(`reading the live objects: ${(err as Error).message}`, { cause: err }),
    };
  }
  for (const stage of stages(objects)) {
    let firstError: unknown = null;
    const results = await mapPool(stage, concurrency, async (obj): Promise<Change> => {
      const id = refString(refOf(obj));
      const desired = withOwnerLabels(obj);
      try {
        const current = live.get(id) ?? null;
        let action: Change['action'] = opts.planned?.get(id) ?? 'created';
        const verified = opts.verified?.get(id);
        if (verified) versions.set(id, verified);
        if (current && !opts.planned?.has(id)) {
          const preview = await cluster.apply(desired, { ...apply, dryRun: true });
          action = sameContent(current, preview) ? 'unchanged' : 'configured';
          if (action === 'unchanged') versions.set(id, versionOf(preview, desired));
        }
        if (action !== 'unchanged') versions.set(id, versionOf(await cluster.apply(desired, apply), desired));
        if (obj.kind === 'CustomResourceDefinition') await waitEstablished(cluster, obj);
        return { ref: id, action };
      } catch (err) {
        firstError ??= err;
        return { ref: id, action: 'failed', error: `${id}: ${(err as Error).message}` };
      }
    });
    changes.push(...results);
    // New CRDs and namespaces change what discovery says: later stages must see them.
    if (stage.some((o) => o.kind === 'CustomResourceDefinition')) cluster.invalidateDiscovery();
    const failed = results.find((c) => c.action === 'failed');
    if (failed)
      return { changes, versions, failed: new ApplyError(failed.error as string, { cause: firstError }) };
  }
  return { changes, versions };
}
