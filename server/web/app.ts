// createApp(deps): the Express application, with no listen — main.ts and tests decide where it runs.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express, { type Express } from 'express';
import type { WebDeps } from './deps.ts';
import { csrf } from './middleware/csrf.ts';
import { errorHandler } from './middleware/errors.ts';
import { securityHeaders } from './middleware/security.ts';
import { actionRoutes } from './routes/actions.ts';
import { healthRoutes } from './routes/health.ts';
import { overviewRoutes } from './routes/overview.ts';
import { createViews } from './views.ts';

const PUBLIC_DIR = path.resolve(import.meta.dirname, '..', '..', 'public');

export function createApp(deps: WebDeps): Express {
  const app = express();
  const views = createViews({ nodeName: deps.nodeName, demo: deps.demo });
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders);
  app.use(healthRoutes(deps));
  app.use('/static', express.static(PUBLIC_DIR, { index: false, maxAge: '1h', fallthrough: false }));
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(csrf(deps.csrfSecret ?? randomBytes(32)));
  app.use(overviewRoutes(deps, views));
  app.use(actionRoutes(deps, views));
  app.use((_req, res) => {
    res
      .status(404)
      .type('html')
      .send(views.page('error', { title: 'Not found', message: 'There is no such page.' }, res));
  });
  app.use(errorHandler(deps.log, views));
  return app;
}
