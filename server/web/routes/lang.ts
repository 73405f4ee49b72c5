// The language switcher: a plain link that remembers the choice in a cookie and goes back where it came from.
import { Router } from 'express';
import { isLocale, LANG_COOKIE } from '../i18n/index.ts';
import { withoutToken } from '../middleware/auth.ts';
import { home } from './respond.ts';

/** Only a path on this console: never another site (no "//host", no scheme), never a kiosk token. */
export function safeBack(back: unknown): string {
  if (typeof back !== 'string' || !back.startsWith('/') || back.startsWith('//') || back.includes('\\'))
    return '/';
  return withoutToken(back);
}

export function langRoutes(): Router {
  const r = Router();
  r.get('/lang/:code', (req, res) => {
    const code = req.params.code;
    if (isLocale(code)) {
      res.cookie(LANG_COOKIE, code, {
        sameSite: 'lax',
        secure: req.secure,
        path: '/',
        maxAge: 365 * 86_400_000,
      });
    }
    res.redirect(303, home(res, safeBack(req.query.back)));
  });
  return r;
}
