// The audit log for admins: every sign-in, failed sign-in, action and change, newest first, a page at a time.
import { Router } from 'express';
import type { AccessService } from '../../auth/service.ts';
import { auditDetailSaid, auditDetailText } from '../models/audit-detail.ts';
import { newestFirstPage } from '../models/paging.ts';
import { requestContext, type Views } from '../views.ts';

const PAGE = 100;

export function auditRoutes(access: AccessService, views: Views): Router {
  const r = Router();
  r.get('/audit', (req, res) => {
    const before = Number(req.query.before);
    const beforeId = Number.isSafeInteger(before) && before > 0 ? before : null;
    const page = newestFirstPage(access.auditLog(beforeId, PAGE + 1), PAGE);
    const ctx = requestContext(res);
    res.type('html').send(
      views.page(
        'audit',
        {
          title: ctx.t('audit.title'),
          entries: page.rows.map((a) => ({
            ...a,
            detail: auditDetailSaid(a.detail, ctx),
            // Other targets are names (a user, a file, a bastion), never read as a shape: a user may be "expired".
            targetText: a.action === 'hold' ? auditDetailText(a.target, ctx) : (a.target ?? ''),
          })),
          older: page.older,
          newest: beforeId !== null,
        },
        res,
      ),
    );
  });
  return r;
}
