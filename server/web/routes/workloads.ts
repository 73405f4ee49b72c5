// Workloads in the namespaces Outpost manages: list, detail with pods and events, restart confirmation, pod logs.
import { Router } from 'express';
import { isWorkloadKind, WorkloadError } from '../../sync/workloads.ts';
import type { WebDeps } from '../deps.ts';
import { HttpError } from '../http-error.ts';
import { rolloutOf } from '../models/rollout.ts';
import { lineCount, logRequest, workloadEvents } from '../models/workload.ts';
import type { Views } from '../views.ts';
import { respond, tr } from './respond.ts';

export function workloadRoutes(deps: WebDeps, views: Views): Router {
  const r = Router();
  const view = deps.sync.cluster;

  const find = (kind: string, ns: string, name: string, res: import('express').Response) => {
    const w = isWorkloadKind(kind) ? view.workload(kind, ns, name) : null;
    if (!w) throw new HttpError(404, tr(res).t('error.noWorkload', { name: `${ns}/${name}` }));
    return w;
  };

  r.get('/workloads', (req, res) => {
    respond(req, res, views, 'workloads', 'wl.title', { cluster: view.snapshot() });
  });

  r.get('/workloads/:kind/:ns/:name', (req, res) => {
    const w = find(req.params.kind, req.params.ns, req.params.name, res);
    const events = workloadEvents(view.snapshot().events, w);
    respond(req, res, views, 'workload', 'wl.title', { workload: w, events, rollout: rolloutOf(w) });
  });

  // The restart's progress (and the pods) alone, polled by the workload page until the new pods are ready.
  r.get('/workloads/:kind/:ns/:name/rollout', async (req, res) => {
    let w = find(req.params.kind, req.params.ns, req.params.name, res);
    const rollout = rolloutOf(w);
    if (rollout && !rollout.done) {
      // Fresh pods for a page that is watching: the periodic refresh alone is too slow to follow a rollout.
      await view.refresh();
      w = find(req.params.kind, req.params.ns, req.params.name, res);
    }
    const self = `${tr(res).base}/workloads/${w.kind}/${encodeURIComponent(w.namespace)}/${encodeURIComponent(w.name)}`;
    res.setHeader('Cache-Control', 'no-store');
    res
      .type('html')
      .send(views.render('partials/rollout', { workload: w, rollout: rolloutOf(w), self }, res));
  });

  r.get('/workloads/:kind/:ns/:name/restart', (req, res) => {
    const w = find(req.params.kind, req.params.ns, req.params.name, res);
    respond(req, res, views, 'restart-confirm', 'restart.pageTitle', { workload: w });
  });

  r.get('/pods/:ns/:name/logs', async (req, res) => {
    const { ns, name } = req.params;
    const pod = view.snapshot().pods.find((p) => p.namespace === ns && p.name === name) ?? null;
    const containers = pod?.containers ?? [];
    const asked = logRequest(req.query, containers);
    const { container, tail } = asked;
    let text = '';
    let truncated = false;
    // The log's refusal in the reader's words; the cluster's own words go under "Details for support".
    let errorDetail: string | null = null;
    try {
      ({ text, truncated } = await deps.sync.workloads.logs(ns, name, {
        tailLines: tail,
        ...(container ? { container } : {}),
      }));
    } catch (err) {
      if (!(err instanceof WorkloadError)) throw err;
      if (err.kind === 'forbidden')
        throw new HttpError(403, tr(res).t('problem.forbidden'), { cause: err, detail: err.message });
      errorDetail = err.message;
    }
    const data = {
      namespace: ns,
      pod: name,
      owner: pod?.owner ?? null,
      containers,
      ...asked,
      text,
      truncated,
      lineCount: lineCount(text),
      errorDetail,
    };
    res.setHeader('Cache-Control', 'no-store');
    if (req.get('HX-Request')) {
      res.type('html').send(views.render('partials/log', data, res));
      return;
    }
    respond(req, res, views, 'logs', 'logs.pageTitle', data);
  });
  return r;
}
