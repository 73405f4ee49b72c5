// The append-only audit log: who did what, from where, with what result.
import { AsyncLocalStorage } from 'node:async_hooks';
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

/** Who acts in the current console request; entries written while it runs get its role and address. */
export interface AuditContext {
  role?: string;
  source?: string;
}

const auditContext = new AsyncLocalStorage<AuditContext>();

/** Runs `fn` (and everything it starts) as one request, so audits deep in the sync layer say who and from where. */
export function withAuditContext<T>(ctx: AuditContext, fn: () => T): T {
  return auditContext.run(ctx, fn);
}

export function appendAudit(db: Db, e: AuditEntry, now = new Date()): void {
  const ctx = auditContext.getStore();
  db.prepare(
    'INSERT INTO audit (at, actor, role, source, action, target, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    now.toISOString(),
    e.actor,
    e.role ?? ctx?.role ?? null,
    e.source ?? ctx?.source ?? null,
    e.action,
    e.target ?? null,
    e.result,
    e.detail ?? null,
  );
}

export function recentAudit(db: Db, limit = 50): AuditRow[] {
  return db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit) as AuditRow[];
}

/** One page of the log, newest first, older than entry `beforeId` (all when null). */
export function auditPage(db: Db, beforeId: number | null, limit: number): AuditRow[] {
  return db
    .prepare('SELECT * FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?')
    .all(beforeId ?? Number.MAX_SAFE_INTEGER, limit) as AuditRow[];
}

/** Entries after `id`, oldest first. */
export function auditAfter(db: Db, id: number, limit: number): AuditRow[] {
  return db.prepare('SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?').all(id, limit) as AuditRow[];
}
