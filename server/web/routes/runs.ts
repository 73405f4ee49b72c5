// Sync run history: newest first with paging and a chart of how long runs took, and one run with its stages,
// change set and failure in plain words.
import { Router } from 'express';
import type { WebDeps } from '../deps.ts';
import { HttpError } from '../http-error.ts';
import { chartRange } from '../models/host-panel.ts';
import { newestFirstPage } from '../models/paging.ts';
import { runChartModel } from '../models/run-chart.ts';
import { runMessageSaid } from '../models/run-message.ts';
import { requestContext, type Views } from '../views.ts';
import { idParam, respond, tr } from './respond.ts';

const RUNS_PER_PAGE = 25;

export function runRoutes(deps: WebDeps, views: Views): Router {
  const r = Router();
  const h = deps.sync.history;

  r.get('/runs', (req, res) => {
    const before = req.query.before === undefined ? undefined : idParam(req.query.before, res, 400);
    const page = newestFirstPage(h.runs({ beforeId: before, limit: RUNS_PER_PAGE + 1 }), RUNS_PER_PAGE);
    // The chart heads the newest page only: older pages are for reading the table further back.
    const runChart = before === undefined ? runChartModel(deps, chartRange(req.query.range)) : null;
    respond(req, res, views, 'runs', 'runs.title', { runs: page.rows, older: page.older, runChart });
  });

  r.get('/fragments/run-chart', (req, res) => {
    const runChart = runChartModel(deps, chartRange(req.query.range));
    res.type('html').send(views.render('partials/run-chart', { runChart }, res));
  });

  r.get('/runs/:id', (req, res) => {
    const run = h.run(idParam(req.params.id, res));
    if (!run) throw new HttpError(404, tr(res).t('error.noRun'));
    const revision = run.revisionId === null ? null : h.revision(run.revisionId);
    // What a run that did not fail did, in the reader's words (a failure is said by its reason in the view).
    const said = runMessageSaid(run.message, requestContext(res));
    respond(req, res, views, 'run', 'runs.title', { run, revision, said });
  });
  return r;
}
