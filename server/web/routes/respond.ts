// Shared by the page routes: a page or its fragment (htmx), localized titles, and id parameters.
import type { Request, Response } from 'express';
import { HttpError } from '../http-error.ts';
import { requestContext, type Views } from '../views.ts';

/** The translator of this request (for titles and messages built in routes). */
export function tr(res: Response) {
  return requestContext(res);
}

/** The full page, or its fragment alone when htmx asks (app.ts sets `Vary: HX-Request` on every answer). */
export function respond(
  req: Request,
  res: Response,
  views: Views,
  name: string,
  titleKey: string,
  data: object,
) {
  const html = req.get('HX-Request')
    ? views.render(name, data, res)
    : views.page(name, { title: tr(res).t(titleKey), ...data }, res);
  res.type('html').send(html);
}

/** A positive integer from a path or query parameter, or a 400/404 in plain words. */
export function idParam(value: unknown, res: Response, status = 404): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new HttpError(status, tr(res).t('error.badId', { value: String(value) }));
  return n;
}

/** Where to send a plain (non-htmx) form post back to, under the base path. */
export function home(res: Response, path = '/'): string {
  return `${tr(res).base}${path}`;
}
