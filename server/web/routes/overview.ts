// The overview page and the fragments it polls: state, host, cluster, sync panel, objects; and the objects list.
import { type Request, type Response, Router } from 'express';
import type { WebDeps } from '../deps.ts';
import { chartRange, DEFAULT_RANGE } from '../models/host-panel.ts';
import { objectsPageModel } from '../models/objects.ts';
import { clusterPanelModel, hostPanelModel, objectsPanelModel, overviewModel } from '../models/overview.ts';
import { syncPanelModel } from '../models/sync-panel.ts';
import type { Views } from '../views.ts';
import { respond, tr } from './respond.ts';

/** Changes when anything on the overview may have: sync state, live views, host samples, or the second. */
export function overviewKey(deps: WebDeps, now = Date.now()): string {
  return `${deps.sync.version()}|${deps.host?.version ?? 0}|${Math.floor(now / 1000)}`;
}

export function overviewData(deps: WebDeps) {
  const m = overviewModel(deps);
  // The sync panel reads its fields at the top level (it is also rendered alone by the actions).
  return {
    ...m.sync,
    overall: m.overall,
    why: m.why,
    node: m.node,
    host: m.host,
    cluster: m.cluster,
    objects: m.objects,
  };
}

export function overviewRoutes(deps: WebDeps, views: Views): Router {
  const r = Router();
  const html = (res: Response) => res.type('html');

  r.get('/', (req: Request, res: Response) => {
    const key = overviewKey(deps);
    // Another chart range is its own cached variant of the page (links work without script, reloads keep it).
    const range = chartRange(req.query.range);
    if (range !== DEFAULT_RANGE) res.locals.cacheVariant = `range=${range}`;
    const data = () => ({
      title: tr(res).t('overview.title'),
      ...overviewData(deps),
      ...(range === DEFAULT_RANGE ? {} : { host: hostPanelModel(deps, range) }),
    });
    // Rendered once per state change and second, shared by every client (the CSRF token is filled in per request).
    html(res).send(views.cached(req.get('HX-Request') ? 'fragment' : 'page', 'overview', key, data, res));
  });
  r.get('/fragments/sync', (_req, res) => {
    html(res).send(views.render('partials/sync-panel', syncPanelModel(deps), res));
  });
  r.get('/fragments/state', (_req, res) => {
    html(res).send(
      views.cached('fragment', 'partials/state', overviewKey(deps), () => overviewData(deps), res),
    );
  });
  r.get('/fragments/host', (req, res) => {
    const host = hostPanelModel(deps, chartRange(req.query.range));
    html(res).send(views.render('partials/host-panel', { host }, res));
  });
  r.get('/fragments/cluster', (_req, res) => {
    html(res).send(views.render('partials/cluster-panel', { cluster: clusterPanelModel(deps) }, res));
  });
  r.get('/fragments/objects', (_req, res) => {
    html(res).send(views.render('partials/objects', { objects: objectsPanelModel(deps) }, res));
  });

  r.get('/objects', (req, res) => {
    const model = objectsPageModel(deps.sync.live.snapshot(), {
      problemsOnly: req.query.problems === '1',
      page: req.query.page,
    });
    respond(req, res, views, 'objects-page', 'objects.pageTitle', model);
  });
  return r;
}
