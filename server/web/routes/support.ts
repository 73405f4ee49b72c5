// The support bundle: a page saying what is in it, and the tar.gz download itself.

import { Router } from 'express';
import { auditDetail } from '../../audit-detail.ts';
import type { WebDeps } from '../deps.ts';
import { actorOf } from '../middleware/auth.ts';
import type { Views } from '../views.ts';
import { respond } from './respond.ts';

export function bundleName(nodeName: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z');
  return `outpost-support-${nodeName.replace(/[^A-Za-z0-9_.-]/g, '_')}-${stamp}.tar.gz`;
}

export function supportRoutes(deps: WebDeps, views: Views): Router {
  const r = Router();
  /** The remote support panel offers an action only when a bastion is configured. */
  const remote = () => ({
    tunnelConfigured: Boolean(deps.tunnel),
    tunnelMaxMinutes: deps.tunnel?.maxMinutes ?? 0,
  });
  r.get('/support', (req, res) => {
    respond(req, res, views, 'support', 'support.title', {
      available: deps.supportBundle !== undefined,
      ...remote(),
    });
  });
  r.get('/support/bundle', async (req, res) => {
    if (!deps.supportBundle) {
      res.status(404);
      respond(req, res, views, 'support', 'support.title', { available: false, ...remote() });
      return;
    }
    const body = await deps.supportBundle();
    deps.sync.audit({
      actor: actorOf(req),
      source: req.ip,
      action: 'support-bundle',
      result: 'ok',
      detail: auditDetail('bundle-size', { n: body.length }),
    });
    res
      .type('application/gzip')
      .setHeader('Content-Disposition', `attachment; filename="${bundleName(deps.nodeName)}"`)
      .setHeader('Cache-Control', 'no-store')
      .send(body);
  });
  return r;
}
