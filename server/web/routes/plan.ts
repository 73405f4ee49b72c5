// The plan page: what the next sync would change on the cluster, computed on demand (server dry-run).
import { Router } from 'express';
import type { WebDeps } from '../deps.ts';
import { requestContext, type Views } from '../views.ts';

export function planRoutes(deps: WebDeps, views: Views): Router {
  const r = Router();
  r.get('/plan', (req, res) => {
    // The page answers at once; the dry-run (which talks to the upstream and the cluster) loads into it.
    const html = views.render('plan', {}, res);
    res
      .type('html')
      .send(
        req.get('HX-Request') ? html : views.page('plan', { title: requestContext(res).t('nav.plan') }, res),
      );
  });
  r.get('/fragments/plan', async (_req, res) => {
    let changes: Awaited<ReturnType<WebDeps['sync']['preview']>> = [];
    // The page says the plan failed in the reader's words; the error's own words go under "Details for support".
    let errorDetail: string | null = null;
    try {
      changes = await deps.sync.preview();
    } catch (err) {
      errorDetail = (err as Error).message;
    }
    res.type('html').send(views.render('partials/plan', { changes, errorDetail }, res));
  });
  return r;
}
