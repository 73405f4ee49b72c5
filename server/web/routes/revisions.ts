// Revisions: the stored list, one revision's objects, a field-level diff of any two, and "roll back to this".
import { Router } from 'express';
import { hiddenChange, showValue } from '../../sync/diff.ts';
import type { WebDeps } from '../deps.ts';
import { HttpError } from '../http-error.ts';
import type { Views } from '../views.ts';
import { idParam, respond, tr } from './respond.ts';

const DIFF_OBJECTS_SHOWN = 200;
const OBJECTS_SHOWN = 500;

export function revisionRoutes(deps: WebDeps, views: Views): Router {
  const r = Router();
  const h = deps.sync.history;

  r.get('/revisions', (req, res) => {
    const revisions = h.revisions(100);
    const runningId = h.runningId();
    const newest = revisions[0]?.id ?? null;
    respond(req, res, views, 'revisions', 'rev.title', {
      revisions,
      runningId,
      defaultFrom: runningId ?? revisions[1]?.id ?? null,
      defaultTo: newest !== runningId ? newest : (revisions[1]?.id ?? newest),
    });
  });

  r.get('/revisions/diff', (req, res) => {
    const from = idParam(req.query.from, res, 400);
    const to = idParam(req.query.to, res, 400);
    const diff = h.diff(from, to);
    if (!diff) throw new HttpError(404, tr(res).t('error.noRevision'));
    respond(req, res, views, 'revision-diff', 'diff.pageTitle', {
      diff,
      shown: DIFF_OBJECTS_SHOWN,
      show: showValue,
      hidden: hiddenChange,
    });
  });

  r.get('/revisions/:id', (req, res) => {
    const revision = h.revision(idParam(req.params.id, res));
    if (!revision) throw new HttpError(404, tr(res).t('error.noRevision'));
    const objects = h.objects(revision.id);
    respond(req, res, views, 'revision', 'rev.title', {
      revision,
      runningId: h.runningId(),
      objects: objects.slice(0, OBJECTS_SHOWN),
      moreObjects: Math.max(0, objects.length - OBJECTS_SHOWN),
    });
  });

  r.get('/revisions/:id/rollback', (req, res) => {
    const target = h.revision(idParam(req.params.id, res));
    if (!target) throw new HttpError(404, tr(res).t('error.noRevision'));
    const runningId = h.runningId();
    if (target.running) throw new HttpError(400, tr(res).t('rollback.alreadyRunning', { rev: target.short }));
    const diff = runningId === null ? null : h.diff(runningId, target.id);
    respond(req, res, views, 'rollback-confirm', 'rollback.pageTitle', {
      target,
      diff,
      shown: 50,
      show: showValue,
      hidden: hiddenChange,
    });
  });
  return r;
}
