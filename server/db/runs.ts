// Sync run records: one row per reconcile, with its stages, per-object changes and named failure (the words are
// the domain's, sync/run.ts).
import type {
  Change,
  FailureReason,
  RunOutcome,
  RunRecord,
  RunResult,
  Stage,
  StageMark,
  Trigger,
} from '../sync/run.ts';
import type { Db } from './open.ts';

export interface RunRow {
  id: number;
  trigger: Trigger;
  actor: string | null;
  started_at: string;
  finished_at: string | null;
  revision_id: number | null;
  result: RunResult;
  reason: FailureReason | null;
  message: string | null;
  stages: string;
  changes: string;
  duration_ms: number | null;
  unchanged: number;
  repeats: number;
  first_at: string | null;
}

/** The columns every run listing shares, in their JavaScript names. */
export function runSummary(r: Omit<RunRow, 'stages' | 'changes'>) {
  return {
    id: r.id,
    trigger: r.trigger,
    actor: r.actor,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    revisionId: r.revision_id,
    result: r.result,
    reason: r.reason,
    message: r.message,
    durationMs: r.duration_ms,
    unchanged: r.unchanged,
    repeats: r.repeats,
    firstAt: r.first_at,
  };
}

function toRecord(r: RunRow): RunRecord {
  return {
    ...runSummary(r),
    stages: JSON.parse(r.stages) as StageMark[],
    changes: JSON.parse(r.changes) as Change[],
  };
}

export function startRun(db: Db, trigger: Trigger, actor: string | null, now = new Date()): number {
  const info = db
    .prepare('INSERT INTO sync_runs (trigger, actor, started_at) VALUES (?, ?, ?)')
    .run(trigger, actor, now.toISOString());
  return Number(info.lastInsertRowid);
}

export function markStage(db: Db, runId: number, stage: Stage, now = new Date()): void {
  db.prepare(
    `UPDATE sync_runs SET stages = json_insert(stages, '$[#]', json_object('stage', ?, 'at', ?)) WHERE id = ?`,
  ).run(stage, now.toISOString(), runId);
}

export function setRunRevision(db: Db, runId: number, revisionId: number): void {
  db.prepare('UPDATE sync_runs SET revision_id = ? WHERE id = ?').run(revisionId, runId);
}

/**
 * Records the outcome. Objects already as wanted are counted, not listed (a 300-object no-op run was ~17 KB of
 * JSON), and an unchanged scheduled run identical to the one before replaces it, carrying its count and start.
 */
export function finishRun(db: Db, runId: number, outcome: RunOutcome, now = new Date()): void {
  const kept = outcome.changes.filter((c) => c.action !== 'unchanged');
  db.transaction(() => {
    db.prepare(
      `UPDATE sync_runs SET finished_at = ?, result = ?, reason = ?, message = ?, changes = ?, unchanged = ?,
         duration_ms = CAST(ROUND((julianday(?) - julianday(started_at)) * 86400000) AS INTEGER)
       WHERE id = ?`,
    ).run(
      now.toISOString(),
      outcome.result,
      outcome.reason ?? null,
      outcome.message ?? null,
      JSON.stringify(kept),
      outcome.changes.length - kept.length,
      now.toISOString(),
      runId,
    );
    if (outcome.result !== 'rolled-back' && kept.length === 0) foldIntoPrevious(db, runId);
  })();
}

/**
 * Two scheduled runs that changed nothing on the same revision with the same outcome say the same thing — a
 * no-op resync, or the same failure again (an upstream down for days is 288 identical failed runs a day).
 */
function foldIntoPrevious(db: Db, runId: number): void {
  const prev = db
    .prepare(
      `SELECT p.id, p.repeats, coalesce(p.first_at, p.started_at) AS first FROM sync_runs p, sync_runs c
        WHERE c.id = ? AND c.trigger = 'schedule'
          AND p.id = (SELECT max(id) FROM sync_runs WHERE id < c.id)
          AND p.trigger = 'schedule' AND p.result = c.result AND p.changes = '[]'
          AND p.revision_id IS c.revision_id AND p.message IS c.message AND p.reason IS c.reason`,
    )
    .get(runId) as { id: number; repeats: number; first: string } | undefined;
  if (!prev) return;
  db.prepare('UPDATE sync_runs SET repeats = ?, first_at = ? WHERE id = ?').run(
    prev.repeats + 1,
    prev.first,
    runId,
  );
  db.prepare('DELETE FROM sync_runs WHERE id = ?').run(prev.id);
}

/**
 * Runs left 'running' by a crash (or by a pod whose reconcile lease ran out) are closed as failed, so history
 * never shows a ghost run.
 */
export function closeAbandonedRuns(
  db: Db,
  now = new Date(),
  message = 'Outpost stopped before this sync finished',
): number {
  return db
    .prepare(
      `UPDATE sync_runs SET finished_at = ?, result = 'failed', reason = 'Interrupted', message = ?
       WHERE result = 'running'`,
    )
    .run(now.toISOString(), message).changes;
}

export function getRun(db: Db, id: number): RunRecord | null {
  const row = db.prepare('SELECT * FROM sync_runs WHERE id = ?').get(id) as RunRow | undefined;
  return row ? toRecord(row) : null;
}

export function recentRuns(db: Db, limit = 20): RunRecord[] {
  return (db.prepare('SELECT * FROM sync_runs ORDER BY id DESC LIMIT ?').all(limit) as RunRow[]).map(
    toRecord,
  );
}

export function lastFinishedRun(db: Db): RunRecord | null {
  const row = db
    .prepare(`SELECT * FROM sync_runs WHERE result != 'running' ORDER BY id DESC LIMIT 1`)
    .get() as RunRow | undefined;
  return row ? toRecord(row) : null;
}

/** Finished runs after run `id`, oldest first, stopping at the first one still running (reports keep order). */
export function finishedRunsAfter(db: Db, id: number, limit: number): RunRecord[] {
  const rows = db
    .prepare('SELECT * FROM sync_runs WHERE id > ? ORDER BY id LIMIT ?')
    .all(id, limit) as RunRow[];
  const stop = rows.findIndex((r) => r.result === 'running');
  return (stop === -1 ? rows : rows.slice(0, stop)).map(toRecord);
}
