// The append-only audit log: who did what, from where, with what result.
import type { Db } from './open.ts';

export interface AuditEntry {
  actor: string;
  role?: string | undefined;
  source?: string | undefined;
  action: string;
  target?: string | undefined;
  result: string;
  detail?: string | undefined;
}

export interface AuditRow extends AuditEntry {
  id: number;
  at: string;
}

export function appendAudit(db: Db, e: AuditEntry, now = new Date()): void {
  db.prepare(
    'INSERT INTO audit (at, actor, role, source, action, target, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    now.toISOString(),
    e.actor,
    e.role ?? null,
    e.source ?? null,
    e.action,
    e.target ?? null,
    e.result,
    e.detail ?? null,
  );
}

export function recentAudit(db: Db, limit = 50): AuditRow[] {
  return db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit) as AuditRow[];
}
