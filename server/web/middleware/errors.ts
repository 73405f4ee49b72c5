// The one error handler: logs for the engineer, renders plain words for the technician (fragment for htmx).
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Views } from '../views.ts';

export function errorHandler(log: Logger, views: Views) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const status = (err as { status?: number }).status ?? 500;
    log.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    const message =
      status >= 500
        ? 'Something went wrong inside Outpost. The details are in its log.'
        : (err as Error).message;
    res.status(status);
    res.setHeader('Vary', 'HX-Request');
    if (req.get('HX-Request')) {
      res.type('html').send(views.render('partials/error', { message }));
      return;
    }
    res.type('html').send(views.page('error', { title: 'Error', message }, res));
  };
}
