// Managing console users (CLI and the admin page): validated, audited, and never leaving the node without an admin.

import { auditDetail } from '../audit-detail.ts';
import { appendAudit } from '../db/audit.ts';
import type { Db } from '../db/open.ts';
import { deleteUserSessions } from '../db/sessions.ts';
import {
  countUsers,
  deleteUser,
  findUser,
  insertUser,
  listUsers,
  ROLES,
  type Role,
  updateUser,
} from '../db/users.ts';
import { AccessError } from './access-error.ts';
import { hashPassword, type PasswordCost, passwordProblem } from './password.ts';

export { AccessError } from './access-error.ts';

export type { Role };
export { ROLES };

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** True when `role` may do what `needed` may. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

const badRole = () => new AccessError('bad-role', { roles: ROLES.join(', ') });

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function nameProblem(name: string): AccessError | null {
  return NAME.test(name) ? null : new AccessError('bad-name');
}

/** Who makes a change, for the audit log: a signed-in admin (role, address) or the CLI. */
export interface Actor {
  name: string;
  role?: string;
  source?: string;
}

export interface UserInfo {
  name: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date | null;
}

export interface UserAdmin {
  list(): UserInfo[];
  add(u: { name: string; role: Role; password: string; expiresAt?: Date | null }, by: Actor): Promise<void>;
  setRole(name: string, role: Role, by: Actor): void;
  setPassword(name: string, password: string, by: Actor): Promise<void>;
  /** A new expiry (null: never); like a role or password change, it ends the user's sessions at once. */
  setExpiry(name: string, expiresAt: Date | null, by: Actor): void;
  /** Forgets the user's sign-in failures from every address (the console reads this from the store). */
  unlock(name: string, by: Actor): void;
  remove(name: string, by: Actor): void;
}

export function createUserAdmin(db: Db, cost: PasswordCost, now: () => number = Date.now): UserAdmin {
  const audit = (by: Actor, action: string, target: string, result = 'ok', detail?: string) =>
    appendAudit(db, { actor: by.name, role: by.role, source: by.source, action, target, result, detail });
  const existing = (name: string) => {
    const u = findUser(db, name);
    if (!u) throw new AccessError('no-user', { name }, 'not-found');
    return u;
  };
  /** Removing or demoting the only admin would leave nobody able to manage the node from the console. */
  const keepAnAdmin = (u: { role: Role }, what: 'demote' | 'remove') => {
    if (u.role === 'admin' && countUsers(db, 'admin') <= 1) {
      throw new AccessError(`last-admin-${what}`, {}, 'conflict');
    }
  };
  /** Any change to who a user is or until when: their sessions go in the same transaction. */
  const changeEndingSessions = (id: number, change: Parameters<typeof updateUser>[2]) =>
    db.transaction(() => {
      updateUser(db, id, change, now());
      deleteUserSessions(db, id);
    })();
  const checkPassword = (password: string) => {
    const problem = passwordProblem(password);
    if (problem) throw problem;
  };

  return {
    list: () =>
      listUsers(db).map((u) => ({
        name: u.name,
        role: u.role,
        createdAt: new Date(u.createdAt),
        expiresAt: u.expiresAt === null ? null : new Date(u.expiresAt),
      })),

    async add(u, by) {
      const problem = nameProblem(u.name);
      if (problem) throw problem;
      if (!isRole(u.role)) throw badRole();
      checkPassword(u.password);
      if (findUser(db, u.name)) throw new AccessError('user-taken', { name: u.name }, 'conflict');
      const hash = await hashPassword(u.password, cost);
      const expiresAt = u.expiresAt ? u.expiresAt.getTime() : null;
      try {
        insertUser(db, { name: u.name, role: u.role, password: hash, expiresAt }, now());
      } catch (err) {
        // Another request added the same name while the password was being hashed.
        throw new AccessError('user-taken', { name: u.name }, 'conflict', { cause: err });
      }
      audit(
        by,
        'user.add',
        u.name,
        'ok',
        expiresAt
          ? auditDetail('role-expiring', { role: u.role, at: new Date(expiresAt).toISOString() })
          : auditDetail('role', { role: u.role }),
      );
    },

    setRole(name, role, by) {
      if (!isRole(role)) throw badRole();
      const u = existing(name);
      if (u.role === role) return;
      if (role !== 'admin') keepAnAdmin(u, 'demote');
      // Ended now, not when the session's role is next compared: operator → viewer → operator with no
      // request in between would otherwise leave the old session valid again.
      changeEndingSessions(u.id, { role });
      audit(by, 'user.role', u.name, 'ok', auditDetail('role-change', { from: u.role, to: role }));
    },

    async setPassword(name, password, by) {
      const u = existing(name);
      checkPassword(password);
      const hash = await hashPassword(password, cost);
      // A new password also forgives the failures: whoever guessed before now guesses against it.
      changeEndingSessions(u.id, { password: hash, lockReset: true });
      audit(by, 'user.password', u.name);
    },

    setExpiry(name, expiresAt, by) {
      const u = existing(name);
      const at = expiresAt === null ? null : expiresAt.getTime();
      if (at !== null && !Number.isFinite(at)) throw new AccessError('bad-expiry');
      changeEndingSessions(u.id, { expiresAt: at });
      const said =
        at === null ? auditDetail('never') : auditDetail('until', { at: new Date(at).toISOString() });
      audit(by, 'user.expiry', u.name, 'ok', said);
    },

    unlock(name, by) {
      const u = existing(name);
      updateUser(db, u.id, { lockReset: true }, now());
      audit(by, 'user.unlock', u.name);
    },

    remove(name, by) {
      const u = existing(name);
      keepAnAdmin(u, 'remove');
      db.transaction(() => {
        deleteUserSessions(db, u.id);
        deleteUser(db, u.id);
      })();
      audit(by, 'user.remove', u.name, 'ok', auditDetail('role', { role: u.role }));
    },
  };
}
