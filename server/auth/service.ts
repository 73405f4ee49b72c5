// Access to the console: first-run enrollment, sign-in with throttling, sessions with timeouts, kiosk tokens.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { auditDetail } from '../audit-detail.ts';
import { type AuditContext, type AuditRow, appendAudit, auditPage, withAuditContext } from '../db/audit.ts';
import { type Db, StoreFullError } from '../db/open.ts';
import {
  deleteSession,
  deleteStaleSessions,
  findSession,
  insertSession,
  type SessionRow,
  touchSession,
} from '../db/sessions.ts';
import {
  countUsers,
  deleteKioskToken,
  findKioskToken,
  findUser,
  insertKioskToken,
  insertUser,
  listKioskTokens,
  type Role,
  readEnrollment,
  updateUser,
  useEnrollment,
  writeEnrollment,
} from '../db/users.ts';
import {
  hashPassword,
  needsRehash,
  type PasswordCost,
  PRODUCTION_COST,
  passwordProblem,
  verifyPassword,
} from './password.ts';
import { DEFAULT_LIMITS, Gate, LoginThrottle, type ThrottleLimits } from './throttle.ts';
import { hashCode, hashToken, newEnrollmentCode, normalizeCode, randomToken } from './tokens.ts';
import { AccessError, createUserAdmin, nameProblem, type UserAdmin } from './users.ts';

export interface AccessOptions {
  db: Db;
  log: Logger;
  /** Idle and absolute session timeouts, ms. */
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** scrypt cost for new hashes; tests pass a cheap one, production uses PRODUCTION_COST. */
  cost?: PasswordCost;
  limits?: ThrottleLimits;
  /**
   * scrypt checks (sign-in, setup) running at once; more are answered "busy" at once. Each costs 128 MiB at
   * N=2^17, so 2 keeps a login flood to 256 MiB on a 2 GB node while still serving ~6 sign-ins a second.
   */
  maxConcurrentChecks?: number;
  now?: () => number;
}

/** Where a request comes from: its address (req.ip, which honours only trusted proxies). */
export interface From {
  address: string;
}

export interface SignedIn {
  name: string;
  role: Role;
  /** SHA-256 of the session id: a stable per-session value that is not the secret itself. */
  sessionTag: string;
}

export type LoginResult =
  | { ok: true; sessionId: string; user: SignedIn }
  | { ok: false; reason: 'invalid' | 'busy' }
  /** The data volume is full: a new session cannot be written (existing sessions keep working). */
  | { ok: false; reason: 'storeFull' }
  | { ok: false; reason: 'throttled'; retryAfterMs: number };

export type SetupFailure = 'closed' | 'no-code' | 'wrong-code' | 'expired' | 'used' | 'busy';
export type SetupResult =
  | { ok: true; sessionId: string; user: SignedIn }
  | { ok: false; reason: SetupFailure }
  | { ok: false; reason: 'throttled'; retryAfterMs: number }
  | { ok: false; reason: 'form'; problem: AccessError };

export interface AccessService {
  /** True while no admin exists: /setup is open (with a valid enrollment code) only then. */
  needsSetup(): boolean;
  /** Opens first-run enrollment when no admin exists: stores the code's hash; returns the code to print. */
  openEnrollment(opts: { code?: string; ttlMs: number }): { code: string; expiresAt: Date } | null;
  setup(form: { code: string; username: string; password: string }, from: From): Promise<SetupResult>;
  login(username: string, password: string, from: From): Promise<LoginResult>;
  /** The signed-in user for a session cookie value, or null (unknown, timed out, role changed, user gone). */
  session(id: string): SignedIn | null;
  logout(id: string, from: From): void;
  /** The kiosk token's name, or null. */
  kioskToken(token: string): string | null;
  createKioskToken(name: string, by: string): string;
  listKioskTokens(): { name: string; createdAt: Date; createdBy: string }[];
  revokeKioskToken(name: string, by: string): boolean;
  users: UserAdmin;
  audit(entry: Parameters<typeof appendAudit>[1]): void;
  /** The audit log for the admin page: newest first, older than entry `beforeId`. */
  auditLog(beforeId: number | null, limit: number): AuditRow[];
  /** Runs a request's work so every audit entry it writes carries the user's role and address. */
  withRequest<T>(ctx: AuditContext, fn: () => T): T;
  readonly throttle: LoginThrottle;
}

/** Longer input is cut before it is hashed or logged. */
const MAX_NAME = 64;
const MAX_PASSWORD = 1024;
/** The shortest enrollment code accepted from the code file (letters and digits, once normalised). */
const MIN_CODE = 12;

/**
 * How long a session read from SQLite is trusted before it is read again. Sign-outs and user changes made in
 * this process take effect at once; those made by another process (the CLI) within this time.
 */
export const SESSION_RECHECK_MS = 1000;

/** The same object, with `after` called once each method has finished (or its promise has settled). */
function forgettingAfter<T extends object>(target: T, after: () => void): T {
  const wrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(target)) {
    if (typeof value !== 'function') {
      wrapped[key] = value;
      continue;
    }
    wrapped[key] = (...args: unknown[]) => {
      let result: unknown;
      try {
        result = value.apply(target, args);
      } finally {
        after();
      }
      return result instanceof Promise ? result.finally(after) : result;
    };
  }
  return wrapped as T;
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a factory: its body is the methods of the service it returns, each a small function of its own.
export function createAccessService(o: AccessOptions): AccessService {
  const { db, log } = o;
  const now = o.now ?? Date.now;
  const cost = o.cost ?? PRODUCTION_COST;
  const throttle = new LoginThrottle(o.limits ?? DEFAULT_LIMITS, now);
  const gate = new Gate(o.maxConcurrentChecks ?? 2);
  // Sessions looked up in the last second, by cookie value: a page and its fragments need no SQLite read or hash.
  const known = new Map<string, { s: SessionRow; idHash: string; at: number }>();
  const forget = () => known.clear();
  const users = forgettingAfter(createUserAdmin(db, cost, now), forget);
  // Verified instead of a missing user's hash, so an unknown name takes as long as a wrong password.
  let decoy: Promise<string> | null = null;
  const decoyHash = () => {
    decoy ??= hashPassword(randomBytes(16).toString('hex'), cost);
    return decoy;
  };
  // Touching a session writes (and fsyncs) SQLite; htmx polls every few seconds, so touch at most this often.
  const touchEveryMs = Math.min(60_000, Math.floor(o.sessionIdleMs / 10));

  const audit = (e: Parameters<typeof appendAudit>[1]) => appendAudit(db, e, new Date(now()));
  /** A write the request can do without on a full data volume (it is logged by the store's watcher). */
  const unlessFull = (write: () => void) => {
    try {
      write();
    } catch (err) {
      if (!(err instanceof StoreFullError)) throw err;
    }
  };

  const startSession = (user: { id: number; name: string; role: Role }, from: From) => {
    const t = now();
    deleteStaleSessions(db, t - o.sessionIdleMs, t - o.sessionMaxMs);
    const sessionId = randomToken();
    const idHash = hashToken(sessionId);
    insertSession(db, { idHash, userId: user.id, role: user.role, address: from.address }, t);
    return { sessionId, user: { name: user.name, role: user.role, sessionTag: idHash } };
  };

  return {
    throttle,
    users,
    audit,
    withRequest: (ctx, fn) => withAuditContext(ctx, fn),
    auditLog: (beforeId, limit) => auditPage(db, beforeId, limit),

    needsSetup: () => countUsers(db, 'admin') === 0,

    openEnrollment({ code, ttlMs }) {
      if (countUsers(db, 'admin') > 0) return null;
      const chosen = code?.trim() || newEnrollmentCode();
      if (normalizeCode(chosen).length < MIN_CODE) {
        throw new AccessError('code-short', { n: MIN_CODE });
      }
      const expiresAt = now() + ttlMs;
      writeEnrollment(db, hashCode(chosen), expiresAt);
      return { code: chosen, expiresAt: new Date(expiresAt) };
    },

    async setup(form, from) {
      if (countUsers(db, 'admin') > 0) return { ok: false, reason: 'closed' };
      // Counted per address only: one shared "account" would let anyone lock the real admin out of setup.
      const verdict = throttle.begin(`(setup)@${from.address}`, from.address);
      if (!verdict.ok) return { ok: false, reason: 'throttled', retryAfterMs: verdict.retryAfterMs };
      const { attempt } = verdict;
      const row = readEnrollment(db);
      const given = Buffer.from(hashCode(form.code.slice(0, 200)), 'hex');
      const matches = row !== null && timingSafeEqual(given, Buffer.from(row.codeHash, 'hex'));
      const refuse = (reason: Exclude<SetupFailure, 'busy'>): SetupResult => {
        attempt.fail();
        audit({
          actor: form.username.slice(0, MAX_NAME) || '-',
          source: from.address,
          action: 'setup',
          result: 'refused',
          detail: auditDetail(`setup-${reason}`),
        });
        return { ok: false, reason };
      };
      if (!row) return refuse('no-code');
      if (!matches) return refuse('wrong-code');
      if (row.usedAt !== null) return refuse('used');
      if (row.expiresAt <= now()) return refuse('expired');
      // The code is right: a mistake in the form must not use it up.
      const problem = nameProblem(form.username) ?? passwordProblem(form.password);
      if (problem) {
        attempt.cancel();
        return { ok: false, reason: 'form', problem };
      }
      const release = gate.enter();
      if (!release) {
        attempt.cancel();
        return { ok: false, reason: 'busy' };
      }
      let hash: string;
      try {
        hash = await hashPassword(form.password, cost);
      } finally {
        release();
      }
      // Everything is checked again inside one transaction: two racing requests cannot both create an admin.
      const created = db.transaction(() => {
        if (countUsers(db, 'admin') > 0) return 'closed' as const;
        const current = readEnrollment(db);
        if (!current || current.codeHash !== row.codeHash || current.expiresAt <= now())
          return 'expired' as const;
        if (!useEnrollment(db, now())) return 'used' as const;
        if (findUser(db, form.username)) return 'taken' as const;
        return insertUser(db, { name: form.username, role: 'admin', password: hash, expiresAt: null }, now());
      })();
      if (created === 'taken') {
        attempt.cancel();
        return {
          ok: false,
          reason: 'form',
          problem: new AccessError('user-taken', { name: form.username }, 'conflict'),
        };
      }
      if (typeof created === 'string') return refuse(created);
      attempt.succeed();
      audit({
        actor: form.username,
        role: 'admin',
        source: from.address,
        action: 'setup',
        target: form.username,
        result: 'ok',
        detail: auditDetail('admin-created'),
      });
      log.warn({ user: form.username, from: from.address }, 'first admin created; /setup is closed');
      return { ok: true, ...startSession({ id: created, name: form.username, role: 'admin' }, from) };
    },

    async login(username, password, from) {
      const name = username.trim().slice(0, MAX_NAME);
      // Read before the throttle: `outpost user passwd/unlock` (maybe another process) clears failures.
      const known = name ? findUser(db, name) : null;
      const verdict = throttle.begin(name, from.address, known?.lockResetAt ?? null);
      if (!verdict.ok) {
        log.warn(
          { user: name, from: from.address, scope: verdict.scope },
          'sign-in refused: too many failures',
        );
        return { ok: false, reason: 'throttled', retryAfterMs: verdict.retryAfterMs };
      }
      const { attempt } = verdict;
      const release = gate.enter();
      if (!release) {
        attempt.cancel();
        return { ok: false, reason: 'busy' };
      }
      let user: ReturnType<typeof findUser> = null;
      let ok = false;
      try {
        user = name ? findUser(db, name) : null;
        // An over-long password is checked against the decoy, so it costs the same and never matches.
        const tooLong = password.length > MAX_PASSWORD;
        const stored = (!tooLong && user?.password) || (await decoyHash());
        ok = (await verifyPassword(tooLong ? '' : password, stored)) && user !== null && !tooLong;
        // A time-limited login (a support engineer's) past its expiry fails like a wrong password.
        if (ok && user && user.expiresAt !== null && user.expiresAt <= now()) ok = false;
        if (ok && user && needsRehash(user.password, cost)) {
          const id = user.id;
          const rehashed = await hashPassword(password, cost);
          // On a full volume the old hash stays (still valid) and is upgraded at a later sign-in.
          unlessFull(() => updateUser(db, id, { password: rehashed }, now()));
        }
      } finally {
        release();
      }
      if (!ok || !user) {
        attempt.fail();
        // On a full volume the failure is only logged; the throttle (in memory) still counts it.
        unlessFull(() =>
          audit({
            actor: name || '-',
            role: user?.role,
            source: from.address,
            action: 'login',
            result: 'failed',
          }),
        );
        return { ok: false, reason: 'invalid' };
      }
      attempt.succeed();
      // No sign-in without its session row and its audit entry: on a full volume new sign-ins are refused
      // (in words) while existing sessions keep working — never a session that exists only in memory.
      try {
        const started = startSession(user, from);
        audit({ actor: user.name, role: user.role, source: from.address, action: 'login', result: 'ok' });
        return { ok: true, ...started };
      } catch (err) {
        if (!(err instanceof StoreFullError)) throw err;
        log.warn({ user: user.name, from: from.address, err }, 'sign-in refused: the data volume is full');
        return { ok: false, reason: 'storeFull' };
      }
    },

    session(id) {
      if (!id || id.length > 100) return null;
      const t = now();
      let hit = known.get(id);
      if (!hit || t - hit.at >= SESSION_RECHECK_MS) {
        const idHash = hashToken(id);
        const row = findSession(db, idHash);
        if (!row) {
          known.delete(id);
          return null;
        }
        if (known.size >= 1000) known.clear();
        hit = { s: row, idHash, at: t };
        known.set(id, hit);
      }
      const { s, idHash } = hit;
      const expired =
        s.role !== s.userRole ||
        (s.userExpiresAt !== null && s.userExpiresAt <= t) ||
        t - s.seenAt >= o.sessionIdleMs ||
        t - s.createdAt >= o.sessionMaxMs;
      if (expired) {
        // Refused either way; on a full volume the row goes at the next sign-in's clean-up.
        unlessFull(() => deleteSession(db, idHash));
        known.delete(id);
        return null;
      }
      if (t - s.seenAt >= touchEveryMs) {
        touchSession(db, idHash, t);
        s.seenAt = t;
      }
      return { name: s.userName, role: s.userRole, sessionTag: idHash };
    },

    logout(id, from) {
      forget();
      const idHash = hashToken(id);
      const s = findSession(db, idHash);
      if (!s) return;
      deleteSession(db, idHash);
      audit({ actor: s.userName, role: s.userRole, source: from.address, action: 'logout', result: 'ok' });
    },

    kioskToken(token) {
      if (!token || token.length > 100) return null;
      return findKioskToken(db, hashToken(token))?.name ?? null;
    },

    createKioskToken(name, by) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
        throw new AccessError('bad-kiosk-name');
      }
      const token = randomToken();
      try {
        insertKioskToken(db, name, hashToken(token), by, now());
      } catch (err) {
        throw new AccessError('kiosk-taken', { name }, 'conflict', { cause: err });
      }
      audit({ actor: by, source: 'cli', action: 'kiosk-token.create', target: name, result: 'ok' });
      return token;
    },

    listKioskTokens: () =>
      listKioskTokens(db).map((k) => ({
        name: k.name,
        createdAt: new Date(k.createdAt),
        createdBy: k.createdBy,
      })),

    revokeKioskToken(name, by) {
      const gone = deleteKioskToken(db, name);
      if (gone) audit({ actor: by, source: 'cli', action: 'kiosk-token.revoke', target: name, result: 'ok' });
      return gone;
    },
  };
}
