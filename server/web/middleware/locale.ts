// Picks the page language per request (cookie set by the switcher, else Accept-Language) for views and fmt.
import type { NextFunction, Request, Response } from 'express';
import { readCookie } from '../cookies.ts';
import { LANG_COOKIE, negotiate } from '../i18n/index.ts';

export function locale(req: Request, res: Response, next: NextFunction): void {
  const chosen = negotiate(readCookie(req, LANG_COOKIE), req.get('accept-language'));
  res.locals.locale = chosen;
  res.locals.path = req.path;
  res.setHeader('Content-Language', chosen);
  next();
}
