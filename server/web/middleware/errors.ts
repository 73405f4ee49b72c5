// The one error handler: logs for the engineer, renders plain words for the technician (fragment for htmx).
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { httpStatus } from '../http-error.ts';
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
    const { t } = requestContext(res);
    // A write the full data volume had no room for: the technician can act on that (free space), so say it.
    const full = (err as Error | undefined)?.name === 'StoreFullError';
    const message = full
      ? t('store.fullError')
      : status >= 500
        ? t('error.internal')
        : (err as Error).message;
    res.status(status);
    if (req.get('HX-Request')) {
      res.type('html').send(views.render('partials/error', { message }, res));
      return;
    }
    res.type('html').send(views.page('error', { title: t('error.title'), message }, res));
  };
}
