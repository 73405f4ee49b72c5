// Sign-in, sign-out and first-run setup: thin handlers over the access service, answers in plain words.
import { type Response, Router } from 'express';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../auth/password.ts';
import type { AccessService, SetupResult } from '../../auth/service.ts';
import { nameProblem } from '../../auth/users.ts';
import {
  clearSessionCookie,
  currentUser,
  safeNext,
  sessionCookie,
  setSessionCookie,
} from '../middleware/auth.ts';
import { refusalText } from '../refusal.ts';
import { requestContext, type Views } from '../views.ts';

type Body = Record<string, unknown>;
const field = (body: unknown, name: string): string => {
  const v = (body as Body | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

/** "Try again in 14 minutes (after 10:42:05)": Retry-After for machines, words for people. */
function tooMany(res: Response, retryAfterMs: number, now = Date.now()): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  res.setHeader('Retry-After', String(seconds));
  res.status(429);
  const { t, tn, fmt } = requestContext(res);
  return t('auth.throttled', {
    wait: tn('auth.minutes', Math.ceil(seconds / 60)),
    at: fmt.clock(now + seconds * 1000),
  });
}

function busy(res: Response): string {
  res.setHeader('Retry-After', '2');
  res.status(503);
  return requestContext(res).t('auth.busy');
}

export function authRoutes(access: AccessService, views: Views): Router {
  const r = Router();
  const base = (res: Response) => (res.locals.base as string | undefined) ?? '';
  const page = (res: Response, name: 'login' | 'setup', data: object) =>
    res.type('html').send(views.page(name, { title: requestContext(res).t(`${name}.title`), ...data }, res));

  const loginPage = (res: Response, data: { next: string; username?: string; error?: string | null }) =>
    page(res, 'login', { username: '', error: null, setupOpen: access.needsSetup(), ...data });

  r.get('/login', (req, res) => {
    const next = safeNext(req.query.next);
    if (currentUser(res)) {
      res.redirect(303, `${base(res)}${next}`);
      return;
    }
    loginPage(res, { next });
  });

  r.post('/login', async (req, res) => {
    const username = field(req.body, 'username');
    const next = safeNext(field(req.body, 'next'));
    // Whatever session this browser had ends here: a signed-in session always gets a fresh id (no fixation).
    const old = sessionCookie(req);
    if (old) access.logout(old, { address: req.ip ?? '' });
    const result = await access.login(username, field(req.body, 'password'), { address: req.ip ?? '' });
    if (result.ok) {
      setSessionCookie(req, res, result.sessionId);
      res.redirect(303, `${base(res)}${next}`);
      return;
    }
    const { t } = requestContext(res);
    let error: string;
    if (result.reason === 'throttled') error = tooMany(res, result.retryAfterMs);
    else if (result.reason === 'busy') error = busy(res);
    else if (result.reason === 'storeFull') {
      res.status(503);
      error = t('auth.storeFull');
    } else {
      res.status(401);
      error = t('auth.wrong');
    }
    loginPage(res, { next, username, error });
  });

  r.post('/logout', (req, res) => {
    const id = sessionCookie(req);
    if (id) access.logout(id, { address: req.ip ?? '' });
    clearSessionCookie(req, res);
    if (req.get('HX-Request')) {
      res.setHeader('HX-Redirect', `${base(res)}/login`);
      res.status(204).end();
      return;
    }
    res.redirect(303, `${base(res)}/login`);
  });

  /** Once an admin exists there is no setup page at all: the same 404 as any unknown path. */
  const closed = (res: Response) => {
    const { t } = requestContext(res);
    res
      .status(404)
      .type('html')
      .send(views.page('error', { title: t('error.notFound'), message: t('error.noPage') }, res));
  };

  r.get('/setup', (_req, res) => {
    if (!access.needsSetup()) {
      closed(res);
      return;
    }
    page(res, 'setup', { username: '', code: '', error: null, passwordMin: PASSWORD_MIN });
  });

  r.post('/setup', async (req, res) => {
    if (!access.needsSetup()) {
      closed(res);
      return;
    }
    const { t } = requestContext(res);
    const username = field(req.body, 'username').trim();
    const password = field(req.body, 'password');
    const again = field(req.body, 'password2');
    // What was typed comes back on an error (bounded, as the field's maxlength), passwords never.
    const code = field(req.body, 'code').slice(0, 200);
    const show = (status: number, error: string) => {
      res.status(status);
      page(res, 'setup', { username, code, error, passwordMin: PASSWORD_MIN });
    };
    // The form is checked before the code, so a typo in it does not count as a wrong code.
    if (nameProblem(username)) return show(400, t('users.badName'));
    if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX)
      return show(400, t('users.badPassword', { n: PASSWORD_MIN }));
    if (password !== again) return show(400, t('setup.mismatch'));
    const result: SetupResult = await access.setup(
      { code: field(req.body, 'code'), username, password },
      { address: req.ip ?? '' },
    );
    if (result.ok) {
      setSessionCookie(req, res, result.sessionId);
      res.redirect(303, `${base(res)}/`);
      return;
    }
    switch (result.reason) {
      case 'closed':
        return closed(res);
      case 'throttled':
        return show(429, tooMany(res, result.retryAfterMs));
      case 'busy':
        return show(503, busy(res));
      case 'form':
        return show(400, refusalText(requestContext(res), result.problem));
      case 'expired':
        return show(403, t('setup.expired'));
      case 'no-code':
        return show(403, t('setup.noCode'));
      default:
        return show(403, t('setup.wrong'));
    }
  });

  return r;
}
