// Remote support tunnel controls: open it for a chosen time, close it, and the banner fragment the pages poll.
import { type Request, type Response, Router } from 'express';
import { z } from 'zod/v3';
import type { TunnelStatus } from '../../tunnel/model.ts';
import type { SupportTunnel } from '../../tunnel/tunnel.ts';
import { HttpError } from '../http-error.ts';
import { actorOf } from '../middleware/auth.ts';
import { requestContext, type Views } from '../views.ts';

/** What these routes need; the lead merges it into WebDeps. Null when no bastion is configured. */
export interface TunnelDeps {
  tunnel: SupportTunnel | null;
}

/** Data for views/partials/tunnel-banner.eta (besides base, csrfToken and fmt, which every view gets). */
export interface TunnelBannerModel {
  tunnel: TunnelStatus | null;
  /** The kiosk shows the banner but never a control. */
  kiosk: boolean;
  /** Right after an attempt, a closed tunnel shows why it closed; on an ordinary page load it shows nothing. */
  showFailure: boolean;
}

export function tunnelBannerModel(
  tunnel: SupportTunnel | null,
  opts: { kiosk?: boolean; showFailure?: boolean } = {},
): TunnelBannerModel {
  return {
    tunnel: tunnel?.status() ?? null,
    kiosk: opts.kiosk ?? false,
    showFailure: opts.showFailure ?? false,
  };
}

/** How long remote support may be opened for, at most, when the tunnel does not say (8 hours). */
const MAX_MINUTES = 480;
const openForm = z.object({
  minutes: z.preprocess(
    (v) => (v === undefined || v === '' ? 60 : v),
    z.coerce.number().int().min(1).max(MAX_MINUTES),
  ),
});

export function tunnelRoutes(deps: TunnelDeps, views: Views): Router {
  const r = Router();
  const actor = (req: Request) => actorOf(req);
  const base = (res: Response) => (res.locals.base as string | undefined) ?? '';

  const configured = (res: Response): SupportTunnel => {
    if (!deps.tunnel) throw new HttpError(409, requestContext(res).t('tunnel.notConfigured'));
    return deps.tunnel;
  };

  const banner = (res: Response, opts: { kiosk?: boolean; showFailure?: boolean }) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(
      views.render(
        'partials/tunnel-banner',
        // Base path, language and CSRF token come from the request; the kiosk gets no token, so no control.
        { ...tunnelBannerModel(deps.tunnel, opts), ...(opts.kiosk ? { csrfToken: '' } : {}) },
        res,
      ),
    );
  };

  /** htmx gets the fresh banner; a plain form post goes back to the overview. */
  const answer = (req: Request, res: Response) => {
    if (!req.get('HX-Request')) {
      res.redirect(303, `${base(res)}/`);
      return;
    }
    banner(res, { showFailure: true });
  };

  r.get('/fragments/tunnel', (req, res) => {
    banner(res, { kiosk: req.query.kiosk === '1', showFailure: req.query.watch === '1' });
  });

  r.post('/actions/tunnel/open', (req, res) => {
    const tunnel = configured(res);
    const parsed = openForm.safeParse(req.body);
    const max = Math.min(MAX_MINUTES, tunnel.maxMinutes);
    // The tunnel checks its configured maximum itself too; this says it in the reader's words first.
    if (!parsed.success || parsed.data.minutes > max)
      throw new HttpError(400, requestContext(res).t('tunnel.badMinutes', { max }));
    tunnel.open({ minutes: parsed.data.minutes, actor: actor(req) });
    answer(req, res);
  });

  r.post('/actions/tunnel/close', (req, res) => {
    configured(res).close(actor(req));
    answer(req, res);
  });

  return r;
}
