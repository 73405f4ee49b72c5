// The one error handler: logs for the engineer, renders plain words for the technician (fragment for htmx).
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AccessError } from '../../auth/access-error.ts';
import { problemKind } from '../../problem.ts';
import { HttpError, httpStatus } from '../http-error.ts';
import type { Translator } from '../i18n/index.ts';
import { refusalText } from '../refusal.ts';
import { requestContext, type Views } from '../views.ts';
import { withoutToken } from './auth.ts';

export function errorHandler(log: Logger, views: Views) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const status = httpStatus(err);
    // A refused form or a missing page is the visitor's business; only failures are errors in the log.
    log[status >= 500 ? 'error' : 'warn'](
      { err, method: req.method, url: withoutToken(req.originalUrl) },
      'request failed',
    );
    const ctx = requestContext(res);
    const { t } = ctx;
    const { message, detail } = said(err, status, ctx);
    res.status(status);
    if (req.get('HX-Request')) {
      res.type('html').send(views.render('partials/error', { message, detail }, res));
      return;
    }
    res.type('html').send(views.page('error', { title: t('error.title'), message, detail }, res));
  };
}

/**
 * The technician's sentence and the engineer's text, kept apart: a route's HttpError is already in the reader's
 * words; any other refusal is said by its kind, its own (English) message going under "Details for support".
 */
function said(
  err: unknown,
  status: number,
  tr: Pick<Translator, 't' | 'tn'>,
): { message: string; detail: string | null } {
  const { t } = tr;
  // A write the full data volume had no room for: the technician can act on that (free space), so say it.
  if ((err as Error | undefined)?.name === 'StoreFullError')
    return { message: t('store.fullError'), detail: null };
  if (err instanceof HttpError) return { message: err.message, detail: err.detail };
  // A refusal the technician can fix has its own words in every language.
  if (err instanceof AccessError) return { message: refusalText(tr, err), detail: null };
  // Our own fault, or a part we depend on failing where no route said what it means: the log has it all.
  if (status >= 500) return { message: t('error.internal'), detail: null };
  return { message: t(`problem.${problemKind(err) ?? 'invalid'}`), detail: (err as Error).message };
}
