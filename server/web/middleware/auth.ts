// Who is asking and may they: session cookie, kiosk address or token, metrics bearer, and the role a route needs.
import type { NextFunction, Request, Response } from 'express';
import type { AddressMatcher } from '../../auth/addresses.ts';
import type { AccessService } from '../../auth/service.ts';
import { safeEqual } from '../../auth/tokens.ts';
import { type Role, roleAtLeast } from '../../auth/users.ts';
import { readCookie } from '../cookies.ts';
import { requestContext, type Views } from '../views.ts';

export const SESSION_COOKIE = 'outpost_session';
export const KIOSK_COOKIE = 'outpost_kiosk';

/** What a request needs: nothing, a kiosk screen, a metrics scraper, or a session of at least a role. */
export type Need = 'public' | 'kiosk' | 'metrics' | Role;

export interface SignedInUser {
  name: string;
  role: Role;
}

const PUBLIC_READ = [/^\/(login|setup|healthz|readyz)$/, /^\/static\//, /^\/lang\/[^/]+$/];
const PUBLIC_WRITE = [/^\/(login|setup|logout)$/];
/** The kiosk board, what it polls and its change notices; reads only. */
const KIOSK_READ = [/^\/kiosk$/, /^\/fragments\/kiosk$/, /^\/fragments\/tunnel$/, /^\/events$/];
/** Users, the audit log, settings and the support tunnel: admin only, reads and writes. */
const ADMIN = [/^\/users(\/|$)/, /^\/audit(\/|$)/, /^\/actions\/(settings|tunnel|users)(\/|$)/];
/** The support bundle holds the audit log and pod logs: not for a read-only viewer. */
const OPERATOR_READ = [/^\/support\/bundle$/];
/** Sync, retry, rollback, hold, release, restart, upload. */
const OPERATOR_WRITE = /^\/actions\//;

/** Express matches routes case-insensitively and ignores a trailing slash; the policy must see them alike. */
function forms(path: string): string[] {
  const plain = path.toLowerCase().replace(/\/+$/, '') || '/';
  let decoded = plain;
  try {
    decoded = decodeURIComponent(plain).toLowerCase().replace(/\/+$/, '') || '/';
  } catch {
    // Not valid percent-encoding: no route matches it either.
  }
  return decoded === plain ? [plain] : [plain, decoded];
}

/**
 * The access a method and path need. Writes not listed need an admin: a route added later is closed until
 * someone decides who may use it. Every reading of the path is checked, and the strictest need wins.
 */
export function requiredAccess(method: string, path: string): Need {
  const read = method === 'GET' || method === 'HEAD';
  const needs = forms(path).map((p): Need => {
    if (ADMIN.some((re) => re.test(p))) return 'admin';
    if (read) {
      if (PUBLIC_READ.some((re) => re.test(p))) return 'public';
      if (p === '/metrics') return 'metrics';
      if (KIOSK_READ.some((re) => re.test(p))) return 'kiosk';
      if (OPERATOR_READ.some((re) => re.test(p))) return 'operator';
      return 'viewer';
    }
    if (PUBLIC_WRITE.some((re) => re.test(p))) return 'public';
    if (OPERATOR_WRITE.test(p)) return 'operator';
    return 'admin';
  });
  const order: Need[] = ['public', 'kiosk', 'metrics', 'viewer', 'operator', 'admin'];
  return needs.reduce((a, b) => (order.indexOf(b) > order.indexOf(a) ? b : a));
}

/**
 * A `next` target after sign-in: only a path on this console (below the base path, which the caller adds),
 * never another site. Anything doubtful becomes '/'.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.length > 1000) return '/';
  let u: URL;
  try {
    u = new URL(next, 'http://console.invalid');
  } catch {
    return '/';
  }
  if (u.origin !== 'http://console.invalid') return '/';
  const path = u.pathname.replace(/^\/+/, '/');
  if (/^\/(login|logout|setup)(\/|$)/i.test(path)) return '/';
  return withoutToken(path + u.search);
}

/**
 * A path with its query, without the `token` parameter (a kiosk token is a credential): it never goes into a
 * URL we build (a `next=`, a redirect) nor into a log line, whether the token is valid or not.
 */
export function withoutToken(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  if (!params.has('token')) return url;
  params.delete('token');
  return url.slice(0, q) + (params.size > 0 ? `?${params}` : '');
}

/** The signed-in user of this request, or null. */
export function currentUser(res: Response): SignedInUser | null {
  return (res.locals.user as SignedInUser | undefined) ?? null;
}

/**
 * The name the audit log records for this request: the signed-in user. The address goes in as the source, and
 * the role is filled in for every audit entry written during the request (see authenticate).
 */
export function actorOf(req: Request): string {
  const user = req.res ? currentUser(req.res) : null;
  return user?.name ?? `anonymous@${req.ip ?? 'unknown'}`;
}

export interface AuthOptions {
  access: AccessService;
  views: Views;
  /** Addresses whose screens see /kiosk without signing in (default: loopback). */
  kioskAddresses: AddressMatcher;
  /** Bearer token for /metrics (a fleet Prometheus); null: only a session may read it. */
  metricsToken: string | null;
}

function cookieOptions(req: Request, res: Response) {
  const base = (res.locals.base as string | undefined) ?? '';
  return { httpOnly: true, sameSite: 'strict' as const, secure: req.secure, path: `${base}/` };
}

export function setSessionCookie(req: Request, res: Response, sessionId: string): void {
  res.cookie(SESSION_COOKIE, sessionId, cookieOptions(req, res));
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, cookieOptions(req, res));
}

export function sessionCookie(req: Request): string | null {
  return readCookie(req, SESSION_COOKIE);
}

/** Where sign-in should return to: the page itself, or for htmx the page the fragment belongs to. */
function returnPath(req: Request, base: string): string {
  if (!req.get('HX-Request')) return req.method === 'GET' ? req.url : '/';
  try {
    const page = new URL(req.get('HX-Current-URL') ?? '');
    const p = page.pathname;
    return (base && p.startsWith(base) ? p.slice(base.length) : p) + page.search;
  } catch {
    return '/';
  }
}

export function authenticate(o: AuthOptions) {
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the order of the checks (kiosk token, session, metrics token, sign-in) is the security rule: kept in one function so it is reviewed as one.
  return (req: Request, res: Response, next: NextFunction): void => {
    const base = (res.locals.base as string | undefined) ?? '';
    const id = sessionCookie(req);
    const user = id ? o.access.session(id) : null;
    if (user) {
      res.locals.user = { name: user.name, role: user.role } satisfies SignedInUser;
      res.locals.sessionTag = user.sessionTag;
    }
    const need = requiredAccess(req.method, req.path);
    // Pages show who is signed in and what they may do: a shared browser's back button must not show them.
    if (need !== 'public') res.setHeader('Cache-Control', 'no-store');
    const proceed = () => o.access.withRequest({ role: user?.role, source: req.ip }, next);

    if (
      need === 'public' ||
      (user && need !== 'kiosk' && need !== 'metrics' && roleAtLeast(user.role, need))
    ) {
      proceed();
      return;
    }
    if (need === 'metrics') {
      const auth = req.get('authorization') ?? '';
      const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
      if (user || (o.metricsToken && bearer && safeEqual(bearer, o.metricsToken))) {
        proceed();
        return;
      }
      res.setHeader('WWW-Authenticate', 'Bearer realm="outpost"');
      res
        .status(401)
        .type('text/plain')
        .send(`${requestContext(res).t('auth.metricsToken')}\n`);
      return;
    }
    if (need === 'kiosk') {
      if (user || o.kioskAddresses(req.ip)) {
        proceed();
        return;
      }
      const fromQuery = typeof req.query.token === 'string' ? req.query.token : null;
      const token = fromQuery ?? readCookie(req, KIOSK_COOKIE);
      if (token && o.access.kioskToken(token)) {
        if (fromQuery) {
          // Keep the token out of the address bar, history and logs: a cookie carries it from now on.
          res.cookie(KIOSK_COOKIE, token, { ...cookieOptions(req, res), maxAge: 400 * 86_400_000 });
          res.redirect(303, `${base}${withoutToken(req.url)}`);
          return;
        }
        proceed();
        return;
      }
    }
    if (!user) {
      const login = `${base}/login?next=${encodeURIComponent(safeNext(returnPath(req, base)))}`;
      if (req.get('HX-Request')) {
        res.setHeader('HX-Redirect', login);
        res.status(401).type('text/plain').send(requestContext(res).t('auth.signInFirst'));
      } else {
        res.redirect(303, login);
      }
      return;
    }
    res.status(403);
    const { t } = requestContext(res);
    const message = t('auth.forbidden', { role: t(`role.${user.role}`), need: t(`role.${need}`) });
    if (req.get('HX-Request')) res.type('html').send(o.views.render('partials/error', { message }, res));
    else res.type('html').send(o.views.page('error', { title: t('auth.forbiddenTitle'), message }, res));
  };
}
