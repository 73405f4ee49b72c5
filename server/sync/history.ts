// What the console shows of the past: stored revisions, their differences, sync runs and the audit log.
import { type AuditRow, recentAudit } from '../db/audit.ts';
import type { Db } from '../db/open.ts';
import {
  getRevision,
  listRevisions,
  type RevisionSummary,
  revisionObjects,
  shortDigest,
} from '../db/revisions.ts';
import { type RunBucket, type RunListItem, runBuckets, runPage } from '../db/run-history.ts';
import { getRun } from '../db/runs.ts';
import { byText } from '../order.ts';
import { diffObjects, type ObjectsDiff } from './diff.ts';
import { heldRevision } from './holds.ts';
import { type RevisionTitle, revisionTitle } from './revision-title.ts';
import type { RunRecord } from './run.ts';
import { lkgRevision } from './state-keys.ts';

export interface RevisionItem extends RevisionSummary {
  short: string;
  /** What people recognise it by: commit subject and author, upload name, signed version. */
  title: RevisionTitle | null;
  /** The last-known-good: what the node runs. */
  running: boolean;
  /** Rolled back from and held. */
  held: boolean;
}

export interface RevisionDiff extends ObjectsDiff {
  from: RevisionItem;
  to: RevisionItem;
}

export interface History {
  revisions(limit?: number): RevisionItem[];
  revision(id: number): RevisionItem | null;
  /** The running revision's id, if any. */
  runningId(): number | null;
  diff(fromId: number, toId: number): RevisionDiff | null;
  /** One revision's objects as kind, namespace, name, sorted. */
  objects(id: number): { kind: string; namespace: string | null; name: string }[];
  runs(opts?: { beforeId?: number | undefined; limit?: number }): RunListItem[];
  run(id: number): RunRecord | null;
  /** Finished runs since `fromMs` per bucket of `bucketMs`: how many, how many failed, the longest and shortest. */
  runBuckets(fromMs: number, bucketMs: number): RunBucket[];
  audit(limit?: number): AuditRow[];
}

export function createHistory(db: Db): History {
  const decorate = (r: RevisionSummary): RevisionItem => {
    const lkg = lkgRevision.get(db);
    const held = heldRevision(db);
    return {
      ...r,
      short: shortDigest(r.digest),
      title: revisionTitle(r),
      running: lkg?.revisionId === r.id,
      held: held !== null && held.digest === r.digest,
    };
  };
  const revision = (id: number) => {
    const r = getRevision(db, id);
    return r ? decorate(r) : null;
  };
  return {
    revisions: (limit = 50) => listRevisions(db, limit).map(decorate),
    revision,
    runningId: () => lkgRevision.get(db)?.revisionId ?? null,
    diff(fromId, toId) {
      const from = revision(fromId);
      const to = revision(toId);
      if (!from || !to) return null;
      return { from, to, ...diffObjects(revisionObjects(db, fromId), revisionObjects(db, toId)) };
    },
    objects: (id) =>
      revisionObjects(db, id)
        .map((o) => ({ kind: o.kind, namespace: o.metadata.namespace ?? null, name: o.metadata.name }))
        .sort(
          (a, b) =>
            byText(a.kind, b.kind) || byText(a.namespace ?? '', b.namespace ?? '') || byText(a.name, b.name),
        ),
    runs: (opts = {}) => runPage(db, { beforeId: opts.beforeId, limit: opts.limit ?? 25 }),
    run: (id) => getRun(db, id),
    runBuckets: (fromMs, bucketMs) => runBuckets(db, fromMs, bucketMs),
    audit: (limit = 50) => recentAudit(db, limit),
  };
}
