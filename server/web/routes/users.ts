// The admin's user page: add users, change roles, passwords and expiry, remove; every change audited by the service.
import { type Request, type Response, Router } from 'express';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../auth/password.ts';
import type { AccessService } from '../../auth/service.ts';
import { AccessError, type Actor, isRole, nameProblem, ROLES } from '../../auth/users.ts';
import { HttpError, httpStatus } from '../http-error.ts';
import { currentUser } from '../middleware/auth.ts';
import { refusalText } from '../refusal.ts';
import { requestContext, type Views } from '../views.ts';

type Body = Record<string, unknown>;
const field = (body: unknown, name: string): string => {
  const v = (body as Body | undefined)?.[name];
  return typeof v === 'string' ? v.trim() : '';
};
/** Passwords are taken as typed: leading or trailing spaces are part of them. */
const secret = (body: unknown, name: string): string => {
  const v = (body as Body | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

/** The longest a time-limited login may be given from the page (a support engineer's: hours, not months). */
const MAX_EXPIRY_HOURS = 24 * 90;

export function userRoutes(access: AccessService, views: Views): Router {
  const r = Router();
  const base = (res: Response) => (res.locals.base as string | undefined) ?? '';
  const actor = (req: Request, res: Response): Actor => {
    const u = currentUser(res);
    return { name: u?.name ?? '-', role: u?.role, source: req.ip };
  };

  const page = (
    res: Response,
    extra: { error?: string | null; saved?: boolean; typed?: Record<string, string> } = {},
  ) => {
    const { t } = requestContext(res);
    res.type('html').send(
      views.page(
        'users',
        {
          title: t('users.title'),
          users: access.users.list(),
          roles: ROLES,
          me: currentUser(res)?.name ?? '',
          passwordMin: PASSWORD_MIN,
          now: Date.now(),
          error: null,
          saved: false,
          typed: {},
          ...extra,
        },
        res,
      ),
    );
  };

  /** Runs one change; a mistake the admin can fix shows the page again with the reason and a 4xx. */
  const change =
    (fn: (req: Request, res: Response) => Promise<void> | void) => async (req: Request, res: Response) => {
      try {
        await fn(req, res);
      } catch (err) {
        if (!(err instanceof AccessError || err instanceof HttpError)) throw err;
        res.status(httpStatus(err));
        // The add form comes back as it was typed (bounded), the password never.
        const typed = Object.fromEntries(
          ['name', 'role', 'expiresHours'].map((k) => [k, field(req.body, k).slice(0, 64)]),
        );
        const error = err instanceof AccessError ? refusalText(requestContext(res), err) : err.message;
        page(res, { error, typed });
        return;
      }
      res.redirect(303, `${base(res)}/users?saved=1`);
    };

  /** `expiresHours` from a form: empty is never; otherwise whole hours from now, 1 to MAX_EXPIRY_HOURS. */
  const expiryFrom = (req: Request, res: Response): Date | null => {
    const hours = field(req.body, 'expiresHours');
    if (hours === '') return null;
    const h = Number(hours);
    if (!Number.isFinite(h) || h <= 0 || h > MAX_EXPIRY_HOURS)
      throw new HttpError(400, requestContext(res).t('users.badExpiry', { max: MAX_EXPIRY_HOURS }));
    return new Date(Date.now() + h * 3_600_000);
  };

  const checkPassword = (res: Response, password: string) => {
    if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX)
      throw new HttpError(400, requestContext(res).t('users.badPassword', { n: PASSWORD_MIN }));
  };

  r.get('/users', (req, res) => page(res, { saved: req.query.saved !== undefined }));

  r.post(
    '/users/add',
    change(async (req, res) => {
      const { t } = requestContext(res);
      const name = field(req.body, 'name');
      const role = field(req.body, 'role');
      if (nameProblem(name)) throw new HttpError(400, t('users.badName'));
      if (!isRole(role)) throw new HttpError(400, t('users.badRole'));
      const password = secret(req.body, 'password');
      checkPassword(res, password);
      const expiresAt = expiryFrom(req, res);
      await access.users.add({ name, role, password, expiresAt }, actor(req, res));
    }),
  );

  r.post(
    '/users/role',
    change((req, res) => {
      const role = field(req.body, 'role');
      if (!isRole(role)) throw new HttpError(400, requestContext(res).t('users.badRole'));
      access.users.setRole(field(req.body, 'name'), role, actor(req, res));
    }),
  );

  r.post(
    '/users/password',
    change(async (req, res) => {
      const password = secret(req.body, 'password');
      checkPassword(res, password);
      await access.users.setPassword(field(req.body, 'name'), password, actor(req, res));
    }),
  );

  r.post(
    '/users/expiry',
    change((req, res) => {
      access.users.setExpiry(field(req.body, 'name'), expiryFrom(req, res), actor(req, res));
    }),
  );

  r.post(
    '/users/remove',
    change((req, res) => {
      access.users.remove(field(req.body, 'name'), actor(req, res));
    }),
  );

  return r;
}
