// Console users, the first-run enrollment code and kiosk tokens (all secrets stored as hashes only).
import type { Db } from './open.ts';

export type Role = 'viewer' | 'operator' | 'admin';
/** Every role, weakest first. */
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export interface UserRow {
  id: number;
  name: string;
  role: Role;
  password: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
  /** When `outpost user passwd/unlock` last cleared the user's sign-in failures (unix ms), or null. */
  lockResetAt: number | null;
}

const USER_COLUMNS =
  'id, name, role, password, created_at AS createdAt, updated_at AS updatedAt, expires_at AS expiresAt, lock_reset_at AS lockResetAt';

export function findUser(db: Db, name: string): UserRow | null {
  return (
    (db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE name = ?`).get(name) as UserRow | undefined) ?? null
  );
}

export function listUsers(db: Db): UserRow[] {
  return db.prepare(`SELECT ${USER_COLUMNS} FROM users ORDER BY name`).all() as UserRow[];
}

export function countUsers(db: Db, role?: Role): number {
  const row = (
    role
      ? db.prepare('SELECT count(*) AS n FROM users WHERE role = ?').get(role)
      : db.prepare('SELECT count(*) AS n FROM users').get()
  ) as { n: number };
  return row.n;
}

export function insertUser(
  db: Db,
  u: { name: string; role: Role; password: string; expiresAt: number | null },
  now: number,
): number {
  const r = db
    .prepare(
      'INSERT INTO users (name, role, password, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(u.name, u.role, u.password, now, now, u.expiresAt);
  return Number(r.lastInsertRowid);
}

export function updateUser(
  db: Db,
  id: number,
  change: { role?: Role; password?: string; expiresAt?: number | null; lockReset?: true },
  now: number,
): void {
  const sets: string[] = ['updated_at = @now'];
  if (change.role !== undefined) sets.push('role = @role');
  if (change.password !== undefined) sets.push('password = @password');
  if (change.expiresAt !== undefined) sets.push('expires_at = @expiresAt');
  if (change.lockReset) sets.push('lock_reset_at = @now');
  db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = @id`).run({
    id,
    now,
    role: change.role ?? null,
    password: change.password ?? null,
    expiresAt: change.expiresAt ?? null,
  });
}

export function deleteUser(db: Db, id: number): void {
  db.prepare('DELETE FROM users WHERE id = ?').run(id);
}

export interface EnrollmentRow {
  codeHash: string;
  expiresAt: number;
  usedAt: number | null;
}

export function readEnrollment(db: Db): EnrollmentRow | null {
  return (
    (db
      .prepare(
        'SELECT code_hash AS codeHash, expires_at AS expiresAt, used_at AS usedAt FROM enrollment WHERE id = 1',
      )
      .get() as EnrollmentRow | undefined) ?? null
  );
}

/** Replaces any earlier code: only the newest one printed to the log works. */
export function writeEnrollment(db: Db, codeHash: string, expiresAt: number): void {
  db.prepare(
    `INSERT INTO enrollment (id, code_hash, expires_at, used_at) VALUES (1, ?, ?, NULL)
     ON CONFLICT(id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, used_at = NULL`,
  ).run(codeHash, expiresAt);
}

/** Marks the code used; false when it already was (another request won the race). */
export function useEnrollment(db: Db, now: number): boolean {
  return (
    db.prepare('UPDATE enrollment SET used_at = ? WHERE id = 1 AND used_at IS NULL').run(now).changes === 1
  );
}

export interface KioskTokenRow {
  id: number;
  name: string;
  createdAt: number;
  createdBy: string;
}

export function insertKioskToken(db: Db, name: string, tokenHash: string, by: string, now: number): void {
  db.prepare('INSERT INTO kiosk_tokens (name, token_hash, created_at, created_by) VALUES (?, ?, ?, ?)').run(
    name,
    tokenHash,
    now,
    by,
  );
}

export function findKioskToken(db: Db, tokenHash: string): KioskTokenRow | null {
  return (
    (db
      .prepare(
        'SELECT id, name, created_at AS createdAt, created_by AS createdBy FROM kiosk_tokens WHERE token_hash = ?',
      )
      .get(tokenHash) as KioskTokenRow | undefined) ?? null
  );
}

export function listKioskTokens(db: Db): KioskTokenRow[] {
  return db
    .prepare(
      'SELECT id, name, created_at AS createdAt, created_by AS createdBy FROM kiosk_tokens ORDER BY name',
    )
    .all() as KioskTokenRow[];
}

export function deleteKioskToken(db: Db, name: string): boolean {
  return db.prepare('DELETE FROM kiosk_tokens WHERE name = ?').run(name).changes === 1;
}
