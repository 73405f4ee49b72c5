// Remote support tunnel controls: open it for a chosen time, close it, and the banner fragment the pages poll.
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { TunnelStatus } from '../../tunnel/model.ts';
import type { SupportTunnel } from '../../tunnel/tunnel.ts';
import { HttpError } from '../http-error.ts';
import { actorOf } from '../middleware/auth.ts';
import type { Views } from '../views.ts';

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

const openForm = z.object({
  minutes: z.preprocess(
    (v) => (v === undefined || v === '' ? 60 : v),
    z.coerce
      .number({ message: 'minutes must be a number' })
      .int('minutes must be a whole number')
      .min(1, 'at least 1 minute')
      .max(480, 'at most 480 minutes (8 hours)'),
  ),
});

export function tunnelRoutes(deps: TunnelDeps, views: Views): Router {
  const r = Router();
  const actor = (req: Request) => actorOf(req);
  const base = (res: Response) => (res.locals.base as string | undefined) ?? '';

  const configured = (): SupportTunnel => {
    if (!deps.tunnel) {
      throw new HttpError(
        409,
        'Remote support is not set up on this box: OUTPOST_TUNNEL_HOST and the bastion key settings are empty.',
      );
    }
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
    const tunnel = configured();
    const parsed = openForm.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => i.message).join('; '));
    // The tunnel checks the configured maximum itself and throws a TunnelError (kind 'invalid') past it.
    tunnel.open({ minutes: parsed.data.minutes, actor: actor(req) });
    answer(req, res);
  });

  r.post('/actions/tunnel/close', (req, res) => {
    configured().close(actor(req));
    answer(req, res);
  });

  return r;
}
