// Settings: source, schedule, pause, maintenance windows and hold, changed on the console and audited.
import { type Request, type Response, Router } from 'express';
import { SETTING_KEYS, type SettingKey, SettingsError } from '../../sync/settings.ts';
import type { WebDeps } from '../deps.ts';
import { actorOf } from '../middleware/auth.ts';
import { auditDetailSaid, auditDetailText } from '../models/audit-detail.ts';
import { requestContext as ctx, type Views } from '../views.ts';
import { home, respond, tr } from './respond.ts';

/** Audit entries shown under the settings: settings changes and holds. */
const SETTINGS_ACTIONS = /^(settings\.|hold$|release-hold$)/;

type Body = Record<string, string | undefined>;

export function settingsRoutes(deps: WebDeps, views: Views): Router {
  const r = Router();
  // The signed-in user; the auth middleware adds their role and address to every audit entry.
  const actor = actorOf;

  const page = (req: Request, res: Response, extra: object = {}) =>
    respond(req, res, views, 'settings', 'settings.title', {
      settings: deps.sync.settings.effective(),
      hold: deps.sync.status().hold,
      store: deps.sync.store(),
      audit: deps.sync.history
        .audit(200)
        .filter((a) => SETTINGS_ACTIONS.test(a.action))
        .slice(0, 20)
        .map((a) => ({
          ...a,
          // A hold's target is its end time; the other targets are setting names.
          targetText: a.action === 'hold' ? auditDetailText(a.target, ctx(res)) : (a.target ?? ''),
          said: auditDetailSaid(a.detail, ctx(res)),
        })),
      saved: req.query.saved !== undefined,
      error: null,
      ...extra,
    });

  r.get('/settings', (req, res) => page(req, res));

  /** Saves one setting; a value that does not validate shows the page again with the message, status 400. */
  const save = (key: SettingKey, value: (b: Body) => unknown) => (req: Request, res: Response) => {
    try {
      deps.sync.settings.update(key, value((req.body ?? {}) as Body) as never, actor(req), req.ip);
    } catch (err) {
      if (!(err instanceof SettingsError)) throw err;
      res.status(400);
      // The page is shown again at the action's address; its links (language switch) belong to /settings.
      res.locals.path = '/settings';
      // Why, in the reader's words; the English sentence (with the configuration names) for support.
      const { t } = tr(res);
      page(req, res, {
        error: {
          field: err.field,
          message: t('settings.invalid', { why: t(`settings.problem.${err.code}`, err.params) }),
          detail: err.message,
        },
      });
      return;
    }
    res.redirect(303, home(res, '/settings?saved=1'));
  };

  r.post(
    '/actions/settings/source',
    save('source', (b) => ({ kind: b.kind, url: b.url, ref: b.ref, path: b.path })),
  );
  r.post(
    '/actions/settings/schedule',
    save('schedule', (b) => b.schedule),
  );
  r.post(
    '/actions/settings/windows',
    save('maintenanceWindows', (b) => (b.windows ?? '').split(/\r?\n|;/)),
  );
  r.post(
    '/actions/settings/pause',
    save('paused', (b) => b.paused === '1'),
  );
  r.post('/actions/settings/reset', (req, res) => {
    const key = (req.body as Body | undefined)?.key as SettingKey;
    if (!SETTING_KEYS.includes(key)) {
      res.status(400);
      res.locals.path = '/settings';
      page(req, res, {
        error: {
          field: 'key',
          message: tr(res).t('settings.invalid', { why: tr(res).t('settings.noSuchSetting') }),
          detail: String(key),
        },
      });
      return;
    }
    deps.sync.settings.reset(key, actor(req), req.ip);
    res.redirect(303, home(res, '/settings?saved=1'));
  });
  return r;
}
