// State-changing actions. Each is CSRF-checked upstream, validated, audited, starts work and answers at once.
import path from 'node:path';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod/v3';
import { dateExists } from '../../calendar.ts';
import type { ReconcileOptions } from '../../sync/reconciler.ts';
import type { Trigger } from '../../sync/run.ts';
import { UploadRefused } from '../../sync/service.ts';
import { WorkloadError } from '../../sync/workloads.ts';
import type { WebDeps } from '../deps.ts';
import { HttpError, httpStatus } from '../http-error.ts';
import type { Translator } from '../i18n/index.ts';
import { actorOf } from '../middleware/auth.ts';
import { MultipartError, readMultipart } from '../multipart.ts';
import { syncPanelModel } from '../viewmodels.ts';
import { requestContext, type Views } from '../views.ts';
import { home, respond } from './respond.ts';

/** How long a rollback or retry waits for its run to get a number, so the page can follow that run. */
const RUN_WAIT_MS = 5_000;

const rollbackForm = z.object({ revision: z.coerce.number().int().positive() });
const holdForm = z.object({
  hours: z.coerce
    .number()
    .positive()
    .max(24 * 14)
    .optional(),
  // The settings page asks for an end time instead (datetime-local: the node's local time).
  until: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'form.giveDateTime')
    .optional(),
  reason: z.string().trim().min(1, 'form.holdReason').max(200, 'form.holdReason'),
});
const restartForm = z.object({
  kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']),
  namespace: z.string().min(1).max(253),
  name: z.string().min(1).max(253),
});

/** A bundle and its signature: a site's manifests are small; 64 MB is generous. */
export const UPLOAD_LIMIT = 64 * 1024 * 1024;
/** A minisign signature is a few hundred bytes, a long trusted comment included. */
export const SIGNATURE_LIMIT = 16 * 1024;
/** The upload form: one bundle, at most one signature, no other field but a few small ones (a CSRF token). */
const UPLOAD_FORM = {
  files: { bundle: UPLOAD_LIMIT, signature: SIGNATURE_LIMIT },
  fields: 4,
  fieldSize: 1024,
};

/** The upload form, or a refusal in the reader's words; the connection is closed on a refusal mid-body. */
async function readUploadForm(req: Request, res: Response) {
  try {
    return await readMultipart(req, UPLOAD_FORM);
  } catch (err) {
    if (!(err instanceof MultipartError)) throw err;
    res.setHeader('Connection', 'close');
    throw new HttpError(err.status, uploadRefusal(err, requestContext(res).t), { cause: err });
  }
}

/** A refused upload in the technician's words. */
function uploadRefusal(err: MultipartError, t: Translator['t']): string {
  switch (err.problem) {
    case 'too-large':
      return err.field === 'signature'
        ? t('upload.signatureTooLarge')
        : t('upload.tooLarge', { mb: Math.round(UPLOAD_LIMIT / 1024 / 1024) });
    case 'not-multipart':
      return t('upload.notMultipart');
    case 'too-many-parts':
      return t('upload.tooManyParts');
    case 'unexpected-file':
      return t('upload.unexpectedFile');
    case 'duplicate-file':
      return t('upload.duplicateFile', {
        field: err.field === 'signature' ? t('upload.signature') : t('upload.bundle'),
      });
    case 'malformed':
      return t('upload.malformed');
    case 'cut-off':
      return t('upload.cutOff');
  }
}

/** The form's fields, or a refusal in the reader's words: our schema messages are catalogue keys. */
function parse<T>(schema: z.ZodType<T>, body: unknown, t: Translator['t']): T {
  const r = schema.safeParse(body);
  if (!r.success)
    throw new HttpError(
      400,
      r.error.issues
        .map((i) =>
          i.message.startsWith('form.') ? t(i.message) : t('form.badField', { field: i.path.join('.') }),
        )
        .join(' '),
    );
  return r.data;
}

export function actionRoutes(deps: WebDeps, views: Views): Router {
  const r = Router();
  // The signed-in user; the middleware adds their role and address to every audit entry of the request.
  const actor = actorOf;

  /** Answers with the fresh sync panel (htmx) or sends a plain form back to the overview. */
  const answer = (req: Request, res: Response) => {
    if (!req.get('HX-Request')) {
      // Back to the page the form was on (settings), else the overview, where the run shows as it goes.
      const back = (req.body as { back?: unknown } | undefined)?.back === 'settings' ? '/settings' : '/';
      res.redirect(303, home(res, back));
      return;
    }
    res.type('html').send(views.render('partials/sync-panel', syncPanelModel(deps), res));
  };

  /**
   * The run is recorded in SQLite; the page follows it by polling, so the request does not wait for it to end.
   * Resolves with the run's number once it has one (a queued trigger waits behind a running sync: then null).
   */
  const start = (
    req: Request,
    action: string,
    trigger: Trigger,
    opts: ReconcileOptions = {},
    target?: string,
  ) => {
    deps.sync.audit({ actor: actor(req), source: req.ip, action, target, result: 'started' });
    const newest = deps.sync.history.runs({ limit: 1 })[0]?.id ?? 0;
    let ended: number | null | undefined;
    deps.sync.trigger(trigger, actor(req), opts).then(
      (run) => {
        ended = run.id;
      },
      (err: unknown) => {
        ended = null;
        deps.log.error({ err, action }, 'sync crashed');
      },
    );
    return async (): Promise<number | null> => {
      const until = Date.now() + RUN_WAIT_MS;
      while (Date.now() < until) {
        const { runId } = deps.sync.progress();
        if (runId !== null && runId > newest) return runId;
        if (ended !== undefined) return ended;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return null;
    };
  };

  /** A plain form lands on its run's page, where the stages show as they happen; htmx gets the sync panel. */
  const follow = async (req: Request, res: Response, run: () => Promise<number | null>) => {
    if (req.get('HX-Request')) return answer(req, res);
    const id = await run();
    res.setHeader('Vary', 'HX-Request');
    res.redirect(303, home(res, id === null ? '/' : `/runs/${id}`));
  };

  r.post('/actions/sync', (req, res) => {
    start(req, 'sync', 'sync-now');
    answer(req, res);
  });
  // Retrying a held revision asks first, on a page of its own like a rollback (never a browser pop-up).
  r.get('/retry', (req, res) => {
    const held = deps.sync.status().held;
    if (!held) throw new HttpError(409, requestContext(res).t('retry.nothingHeld'));
    respond(req, res, views, 'retry-confirm', 'retry.pageTitle', { held });
  });
  r.post('/actions/retry', async (req, res) => {
    await follow(req, res, start(req, 'retry', 'retry', { retry: true }));
  });
  r.post('/actions/rollback', async (req, res) => {
    const { revision } = parse(rollbackForm, req.body, requestContext(res).t);
    await follow(req, res, start(req, 'rollback', 'rollback', { target: revision }, `revision ${revision}`));
  });
  r.post('/actions/hold', (req, res) => {
    const { hours, until, reason } = parse(holdForm, req.body, requestContext(res).t);
    const { t } = requestContext(res);
    if (until && !dateExists(until)) throw new HttpError(400, t('form.noSuchDate', { value: until }));
    const end = until ? new Date(until) : new Date(Date.now() + (hours ?? 24) * 3_600_000);
    if (Number.isNaN(end.getTime()) || end.getTime() <= Date.now())
      throw new HttpError(400, t('form.future'));
    if (end.getTime() > Date.now() + 14 * 86_400_000) throw new HttpError(400, t('form.max14Days'));
    deps.sync.setHold({ until: end, reason }, actor(req));
    answer(req, res);
  });
  r.post('/actions/upload', async (req, res) => {
    const files = await readUploadForm(req, res);
    const bundle = files.get('bundle');
    if (!bundle || bundle.data.length === 0)
      throw new HttpError(400, requestContext(res).t('upload.chooseFile'));
    const sent = files.get('signature');
    const signature = sent && sent.data.length > 0 ? sent : undefined;
    const filename = path.basename(bundle.filename || 'bundle.tar.gz');
    try {
      await deps.sync.upload(
        bundle.data,
        signature ? signature.data.toString('utf8') : null,
        filename,
        actor(req),
      );
    } catch (err) {
      if (!(err instanceof UploadRefused)) throw err;
      // What happened and what to do in the reader's words; why the bundle failed its checks, for support.
      const { t } = requestContext(res);
      const said = err.code === 'disabled' ? t('upload.disabled') : t('upload.refused', { file: filename });
      throw new HttpError(httpStatus(err), said, { cause: err, detail: err.message });
    }
    answer(req, res);
  });
  r.post('/actions/restart', async (req, res) => {
    const { kind, namespace, name } = parse(restartForm, req.body, requestContext(res).t);
    try {
      await deps.sync.workloads.restart(kind, namespace, name, actor(req), req.ip);
    } catch (err) {
      if (!(err instanceof WorkloadError)) throw err;
      // In the reader's words by what went wrong; the cluster's own words go under "Details for support".
      const { t } = requestContext(res);
      const who = `${kind} ${namespace}/${name}`;
      const said =
        err.kind === 'forbidden'
          ? t('restart.notManaged', { namespace })
          : err.kind === 'not-found'
            ? t('restart.gone', { name: who })
            : t('restart.failed', { name: who });
      throw new HttpError(httpStatus(err), said, { cause: err, detail: err.message });
    }
    // The workload page that follows shows the restart (and its rollout) at once, not after the next refresh.
    await deps.sync.cluster.refresh();
    res.redirect(
      303,
      home(res, `/workloads/${kind}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`),
    );
  });
  r.post('/actions/release', (req, res) => {
    deps.sync.setHold(null, actor(req));
    answer(req, res);
  });
  return r;
}
