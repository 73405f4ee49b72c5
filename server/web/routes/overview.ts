// The overview page and the sync panel fragment that htmx polls while a sync runs.
import { type Request, type Response, Router } from 'express';
import type { WebDeps } from '../deps.ts';
import { overviewModel, syncPanelModel } from '../viewmodels.ts';
import type { Views } from '../views.ts';

export function overviewRoutes(deps: WebDeps, views: Views): Router {
  const r = Router();
  r.get('/', (req: Request, res: Response) => {
    res.setHeader('Vary', 'HX-Request');
    const model = overviewModel(deps);
    if (req.get('HX-Request')) {
      res.type('html').send(views.render('overview', { ...model, csrfToken: res.locals.csrfToken }));
      return;
    }
    res.type('html').send(views.page('overview', { title: 'Overview', ...model }, res));
  });
  r.get('/fragments/sync', (_req, res) => {
    res
      .type('html')
      .send(
        views.render('partials/sync-panel', { ...syncPanelModel(deps), csrfToken: res.locals.csrfToken }),
      );
  });
  r.get('/fragments/objects', (_req, res) => {
    res.type('html').send(views.render('partials/objects', overviewModel(deps)));
  });
  return r;
}
