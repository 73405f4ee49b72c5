// Probes and metrics: /healthz (process alive), /readyz (store open, startup sync queued), /metrics.
import { Router } from 'express';
import type { WebDeps } from '../deps.ts';

export function healthRoutes(deps: WebDeps): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  r.get('/readyz', (_req, res) => {
    if (deps.ready()) res.type('text/plain').send('ready');
    else res.status(503).type('text/plain').send('starting');
  });
  r.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  return r;
}
