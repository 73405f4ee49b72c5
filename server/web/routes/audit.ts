// The audit log for admins: every sign-in, failed sign-in, action and change, newest first, a page at a time.
import { Router } from 'express';
import type { AccessService } from '../../auth/service.ts';
import { requestContext, type Views } from '../views.ts';

const PAGE = 100;

export function auditRoutes(access: AccessService, views: Views): Router {
  const r = Router();
  r.get('/audit', (req, res) => {
    const before = Number(req.query.before);
    const beforeId = Number.isSafeInteger(before) && before > 0 ? before : null;
    const entries = access.auditLog(beforeId, PAGE + 1);
    const more = entries.length > PAGE;
    const shown = entries.slice(0, PAGE);
    res.type('html').send(
      views.page(
        'audit',
        {
          title: requestContext(res).t('audit.title'),
          entries: shown,
          older: more ? shown[shown.length - 1]?.id : null,
          newest: beforeId !== null,
        },
        res,
      ),
    );
  });
  return r;
}
