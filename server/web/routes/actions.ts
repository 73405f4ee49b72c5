// State-changing actions. Each one is CSRF-checked upstream, starts work, and answers at once.
import { type Request, type Response, Router } from 'express';
import type { WebDeps } from '../deps.ts';
import { syncPanelModel } from '../viewmodels.ts';
import type { Views } from '../views.ts';

export function actionRoutes(deps: WebDeps, views: Views): Router {
  const r = Router();
  r.post('/actions/sync', (req: Request, res: Response) => {
    // The run is recorded in SQLite; the page follows it by polling, so the request does not wait for it.
    deps.sync
      .trigger('button', req.ip ?? null)
      .catch((err: unknown) => deps.log.error({ err }, 'sync crashed'));
    res.setHeader('Vary', 'HX-Request');
    if (req.get('HX-Request')) {
      res
        .type('html')
        .send(
          views.render('partials/sync-panel', { ...syncPanelModel(deps), csrfToken: res.locals.csrfToken }),
        );
      return;
    }
    res.redirect(303, './');
  });
  return r;
}
