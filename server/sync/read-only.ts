// The sync of a node whose data volume is full: the LKG applied again from the store, nothing written to it.
import { applyAll } from '../apply/ssa.ts';
import { revisionObjects, shortDigest } from '../db/revisions.ts';
import type { DataVolume } from '../db/space.ts';
import type { RunRecord, Trigger } from './run.ts';
import { lkgRevision } from './state-keys.ts';
import { DEFAULT_POLICY, type ReconcilerDeps } from './types.ts';

/**
 * Re-asserts the LKG's stored objects (drift correction wins, as in any re-assert) and keeps the result in
 * memory only: no run row, no state, no prune — a prune needs the in-flight bookkeeping it could not write.
 * The returned record has id 0: it is not in the store.
 */
export async function reassertReadOnly(
  d: ReconcilerDeps,
  volume: DataVolume,
  trigger: Trigger,
  actor: string | null,
): Promise<RunRecord> {
  const startedAt = new Date();
  const lkg = lkgRevision.get(d.db);
  const record = (ok: boolean, message: string, changes: RunRecord['changes'] = []): RunRecord => {
    const finishedAt = new Date();
    volume.lastReassert = {
      at: finishedAt.toISOString(),
      revision: lkg ? shortDigest(lkg.digest) : null,
      ok,
      message,
    };
    const kept = changes.filter((c) => c.action !== 'unchanged');
    return {
      id: 0,
      trigger,
      actor,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      revisionId: lkg?.revisionId ?? null,
      result: ok ? 'succeeded' : 'failed',
      reason: ok ? null : 'ApplyFailed',
      message,
      stages: [{ stage: 'reassert', at: startedAt.toISOString() }],
      changes: kept,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      unchanged: changes.length - kept.length,
      repeats: 1,
      firstAt: null,
    };
  };
  if (!lkg)
    return record(false, 'data volume full and nothing applied yet: there is no revision to re-assert');
  const short = shortDigest(lkg.digest);
  try {
    const report = await applyAll(d.cluster, revisionObjects(d.db, lkg.revisionId), {
      ...DEFAULT_POLICY,
      ...d.policy,
      forceConflicts: true,
    });
    if (report.failed) throw report.failed;
    const fixed = report.changes.filter((c) => c.action !== 'unchanged').length;
    d.log.warn(
      { revision: short, corrected: fixed, trigger },
      'data volume full: re-asserted the last-known-good revision without writing to the store',
    );
    return record(
      true,
      `data volume full: re-asserted revision ${short} from the local store without writing${fixed ? `; corrected ${fixed} object(s)` : ''}`,
      report.changes,
    );
  } catch (err) {
    d.log.error({ err, revision: short, trigger }, 'data volume full: re-asserting the LKG failed');
    return record(
      false,
      `data volume full: re-asserting revision ${short} failed: ${(err as Error).message}`,
    );
  }
}
