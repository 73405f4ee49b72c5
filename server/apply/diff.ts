// The plan shown before anything is applied: per object created | configured | unchanged, with changed fields.
import type { ClusterClient, KubeObject } from '../cluster/types.ts';
import { refOf, refString } from '../cluster/types.ts';
import type { AppliedVersion } from '../db/revisions.ts';
import { mapPool } from '../pool.ts';
import { ValidationError } from './errors.ts';
import { FIELD_MANAGER, withOwnerLabels } from './labels.ts';
import { readLive } from './live.ts';
import { comparable } from './ssa.ts';
import { verifiedUnchanged, versionOf } from './versions.ts';

export interface PlannedChange {
  ref: string;
  action: 'created' | 'configured' | 'unchanged';
  /** Dotted paths whose value the apply would change (for configured objects). */
  fields: string[];
  /** For an unchanged object: the live version now known to hold it (recorded at commit). */
  version?: AppliedVersion;
  /** With `values`: the live object and the dry run's result (comparable form), for old → new values. */
  before?: KubeObject;
  after?: KubeObject;
}

/** Paths where two JSON values differ; lists are compared whole, like most atomic fields. */
export function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isMap = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isMap(a) || !isMap(b)) return [prefix || '.'];
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort();
  // Own keys only: a field named `constructor` or `toString` is data, not what every object inherits.
  const own = (r: Record<string, unknown>, k: string) => (Object.hasOwn(r, k) ? r[k] : undefined);
  return keys.flatMap((k) => changedPaths(own(ra, k), own(rb, k), prefix ? `${prefix}.${k}` : k));
}

/**
 * Server-side dry-run of every object against live state: what an apply would do, nothing written. Objects whose
 * live version is one verified before (`known`, from the last commit) are unchanged without a dry run.
 */
export async function previewChanges(
  cluster: ClusterClient,
  objects: KubeObject[],
  opts: {
    forceConflicts?: boolean;
    concurrency?: number;
    known?: ReadonlyMap<string, AppliedVersion>;
    values?: boolean;
  } = {},
): Promise<PlannedChange[]> {
  const concurrency = opts.concurrency ?? 8;
  const sent = objects.map(withOwnerLabels);
  const verified = opts.known?.size
    ? await verifiedUnchanged(cluster, sent, opts.known, concurrency)
    : new Map<string, AppliedVersion>();
  const rest = sent.filter((o) => !verified.has(refString(refOf(o))));
  const live = await readLive(cluster, rest.map(refOf), concurrency);
  return mapPool(sent, concurrency, async (desired): Promise<PlannedChange> => {
    const ref = refString(refOf(desired));
    const version = verified.get(ref);
    if (version) return { ref, action: 'unchanged', fields: [], version };
    const current = live.get(ref) ?? null;
    if (!current) return { ref, action: 'created', fields: [] };
    let preview: KubeObject;
    try {
      preview = await cluster.apply(desired, {
        fieldManager: FIELD_MANAGER,
        force: opts.forceConflicts ?? false,
        dryRun: true,
      });
    } catch (err) {
      throw new ValidationError(`${ref}: the cluster refused it in a dry run: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const before = comparable(current);
    const after = comparable(preview);
    const fields = changedPaths(before, after);
    if (fields.length > 0)
      return opts.values
        ? { ref, action: 'configured', fields, before: before as KubeObject, after: after as KubeObject }
        : { ref, action: 'configured', fields };
    return { ref, action: 'unchanged', fields, version: versionOf(preview, desired) };
  });
}
