// CSRF defence for every state-changing request: a token bound to a cookie (HMAC), plus an Origin check.
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { readCookie } from '../cookies.ts';
import { requestContext } from '../views.ts';

const COOKIE = 'outpost_csrf';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The token is an HMAC of the cookie's id and, once signed in, the session: a token from before sign-in (or
 * from someone else's session) is worthless after it. Runs after authentication, which sets `sessionTag`.
 */
export function csrf(secret: Buffer) {
  const key = createSecretKey(secret);
  // Every page carries the token: remember the few in use rather than compute an HMAC per request.
  const signed = new Map<string, string>();
  const sign = (id: string, session: string) => {
    const input = `${id}|${session}`;
    let token = signed.get(input);
    if (!token) {
      token = createHmac('sha256', key).update(input).digest('base64url');
      if (signed.size >= 1000) signed.clear();
      signed.set(input, token);
    }
    return token;
  };
  return (req: Request, res: Response, next: NextFunction): void => {
    let id = readCookie(req, COOKIE);
    if (!id || !/^[A-Za-z0-9_-]{22,64}$/.test(id)) {
      id = randomBytes(24).toString('base64url');
      const path = `${(res.locals.base as string | undefined) ?? ''}/`;
      res.cookie(COOKIE, id, { httpOnly: true, sameSite: 'strict', secure: req.secure, path });
    }
    const session = (res.locals.sessionTag as string | undefined) ?? '';
    res.locals.csrfToken = sign(id, session);
    if (SAFE.has(req.method)) {
      next();
      return;
    }

    const origin = req.headers.origin;
    if (origin && origin !== 'null') {
      // req.host is the Host header, or X-Forwarded-Host from a trusted proxy only (the browser's view).
      const host = req.host;
      let originHost: string | null = null;
      try {
        originHost = new URL(origin).host;
      } catch {
        // An unparseable Origin is treated as foreign.
      }
      if (!host || originHost !== host) {
        res.status(403).type('text/plain').send(requestContext(res).t('csrf.crossSite'));
        return;
      }
    } else if (origin === 'null') {
      res.status(403).type('text/plain').send(requestContext(res).t('csrf.crossSite'));
      return;
    }
    const sent = req.get('x-csrf-token') ?? (req.body as { _csrf?: unknown } | undefined)?._csrf;
    const expected = Buffer.from(sign(id, session));
    const given = Buffer.from(typeof sent === 'string' ? sent : '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(403).type('text/plain').send(requestContext(res).t('csrf.stale'));
      return;
    }
    next();
  };
}
