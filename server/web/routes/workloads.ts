// Workloads in the namespaces Outpost manages: list, detail with pods and events, restart confirmation, pod logs.
import { Router } from 'express';
import { isWorkloadKind, MAX_TAIL_LINES, WorkloadError } from '../../sync/workloads.ts';
import type { WebDeps } from '../deps.ts';
import { rolloutOf } from '../models/rollout.ts';
import type { Views } from '../views.ts';
import { HttpError, respond, tr } from './respond.ts';

/** Following a log re-reads its tail every few seconds, and stops by itself after a while (bounded). */
export const FOLLOW_EVERY_S = 2;
export const FOLLOW_FOR_MS = 5 * 60_000;
const TAILS = [50, 200, 1000];

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
    const podNames = new Set(w.pods.map((p) => p.name));
    // Events about the workload itself, its ReplicaSets (name-hash) and its pods.
    const events = view
      .snapshot()
      .events.filter((e) => {
        if (e.namespace !== w.namespace) return false;
        const [kind, name = ''] = e.object.split('/');
        return (
          (kind === w.kind && name === w.name) ||
          (kind === 'ReplicaSet' && name.startsWith(`${w.name}-`)) ||
          (kind === 'Pod' && podNames.has(name))
        );
      })
      .slice(0, 50);
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
    const asked = typeof req.query.container === 'string' ? req.query.container : '';
    const container = containers.includes(asked) ? asked : (containers[0] ?? asked);
    const tailAsked = Number.parseInt(String(req.query.tail ?? '200'), 10);
    const tail = TAILS.includes(tailAsked)
      ? tailAsked
      : Math.min(MAX_TAIL_LINES, Math.max(1, tailAsked || 200));
    const follow = req.query.follow === '1';
    const sinceAsked = Number(req.query.since);
    const since = follow && Number.isFinite(sinceAsked) && sinceAsked > 0 ? sinceAsked : Date.now();
    const polling = follow && Date.now() - since < FOLLOW_FOR_MS;
    let text = '';
    let truncated = false;
    let error: string | null = null;
    try {
      ({ text, truncated } = await deps.sync.workloads.logs(ns, name, {
        tailLines: tail,
        ...(container ? { container } : {}),
      }));
    } catch (err) {
      if (!(err instanceof WorkloadError)) throw err;
      if (err.status === 403) throw new HttpError(403, err.message, { cause: err });
      error = err.message;
    }
    const lines = text === '' ? 0 : text.replace(/\n$/, '').split('\n').length;
    const data = {
      namespace: ns,
      pod: name,
      owner: pod?.owner ?? null,
      containers,
      container,
      tail,
      follow,
      polling,
      followEnded: follow && !polling,
      since,
      everyS: FOLLOW_EVERY_S,
      text,
      truncated,
      lineCount: lines,
      error,
    };
    res.setHeader('Vary', 'HX-Request');
    res.setHeader('Cache-Control', 'no-store');
    if (req.get('HX-Request')) {
      res.type('html').send(views.render('partials/log', data, res));
      return;
    }
    respond(req, res, views, 'logs', 'logs.pageTitle', data);
  });
  return r;
}
