// Console sessions: looked up by the SHA-256 of the cookie value, joined with the user's current role.
import { type Db, StoreFullError } from './open.ts';
import type { Role } from './users.ts';

export interface SessionRow {
  idHash: string;
  userId: number;
  /** The role when the session began. */
  role: Role;
  createdAt: number;
  seenAt: number;
  address: string | null;
  userName: string;
  /** The user's role now (a CLI or admin change shows here on the next request). */
  userRole: Role;
  userExpiresAt: number | null;
}

export function insertSession(
  db: Db,
  s: { idHash: string; userId: number; role: Role; address: string | null },
  now: number,
): void {
  db.prepare(
    'INSERT INTO sessions (id_hash, user_id, role, created_at, seen_at, address) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(s.idHash, s.userId, s.role, now, now, s.address);
}

export function findSession(db: Db, idHash: string): SessionRow | null {
  return (
    (db
      .prepare(
        `SELECT s.id_hash AS idHash, s.user_id AS userId, s.role, s.created_at AS createdAt, s.seen_at AS seenAt,
                s.address, u.name AS userName, u.role AS userRole, u.expires_at AS userExpiresAt
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id_hash = ?`,
      )
      .get(idHash) as SessionRow | undefined) ?? null
  );
}

/**
 * Moves the idle timeout on. On a full data volume the session stays valid without it: the idle timeout then
 * counts from the last touch that could be written, which only ends a session sooner, never later.
 */
export function touchSession(db: Db, idHash: string, now: number): void {
  try {
    db.prepare('UPDATE sessions SET seen_at = ? WHERE id_hash = ?').run(now, idHash);
  } catch (err) {
    if (!(err instanceof StoreFullError)) throw err;
  }
}

export function deleteSession(db: Db, idHash: string): void {
  db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
}

export function deleteUserSessions(db: Db, userId: number): number {
  return db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId).changes;
}

/** Drops sessions past either timeout; called now and then so the table does not grow. */
export function deleteStaleSessions(db: Db, idleBefore: number, createdBefore: number): number {
  return db.prepare('DELETE FROM sessions WHERE seen_at < ? OR created_at < ?').run(idleBefore, createdBefore)
    .changes;
}
