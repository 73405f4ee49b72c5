// createApp(deps): the Express application, with no listen — main.ts and tests decide where it runs.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express, { type Express } from 'express';
import { addressMatcher } from '../auth/addresses.ts';
import type { WebDeps } from './deps.ts';
import { authenticate } from './middleware/auth.ts';
import { basePath } from './middleware/base-path.ts';
import { csrf } from './middleware/csrf.ts';
import { errorHandler } from './middleware/errors.ts';
import { hostCheck, hostMatcher } from './middleware/host-check.ts';
import { locale } from './middleware/locale.ts';
import { securityHeaders } from './middleware/security.ts';
import { actionRoutes } from './routes/actions.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes } from './routes/auth.ts';
import { healthRoutes } from './routes/health.ts';
import { kioskRoutes } from './routes/kiosk.ts';
import { langRoutes } from './routes/lang.ts';
import { liveRoutes } from './routes/live.ts';
import { overviewRoutes } from './routes/overview.ts';
import { planRoutes } from './routes/plan.ts';
import { tr } from './routes/respond.ts';
import { revisionRoutes } from './routes/revisions.ts';
import { runRoutes } from './routes/runs.ts';
import { settingsRoutes } from './routes/settings.ts';
import { supportRoutes } from './routes/support.ts';
import { tunnelRoutes } from './routes/tunnel.ts';
import { userRoutes } from './routes/users.ts';
import { workloadRoutes } from './routes/workloads.ts';
import { createSseHub } from './sse.ts';
import { createViews } from './views.ts';

const PUBLIC_DIR = path.resolve(import.meta.dirname, '..', '..', 'public');

export function createApp(deps: WebDeps): Express {
  const app = express();
  const views = createViews({
    nodeName: deps.nodeName,
    demo: deps.demo,
    storeFull: () => deps.sync.store().full,
  });
  app.disable('x-powered-by');
  app.set('etag', false);
  const reach = deps.reach ?? {};
  const trustedProxy = addressMatcher(reach.trustedProxies ?? []);
  // X-Forwarded-For/-Proto/-Host count only from these peers: req.ip, req.secure and req.host stay honest.
  app.set('trust proxy', (addr: string) => trustedProxy(addr));
  app.use(securityHeaders);
  // Any answer may differ for htmx (fragment, HX-Redirect, error fragment): caches key on it, set here once.
  app.use((_req, res, next) => {
    res.vary('HX-Request');
    next();
  });
  // Before anything reads the request: a page rebinding its own name to this node gets nothing from it.
  // The language first (it reads only two headers): even the host check answers in the reader's words.
  app.use(locale);
  app.use(hostCheck(hostMatcher({ nodeName: deps.nodeName, allowedHosts: reach.allowedHosts }), deps.log));
  app.use(basePath(reach.basePath ?? '', trustedProxy));
  app.use(
    authenticate({
      access: deps.access,
      views,
      kioskAddresses: addressMatcher(reach.kioskAddresses ?? ['127.0.0.1', '::1']),
      metricsToken: reach.metricsToken ?? null,
    }),
  );
  app.use(healthRoutes(deps));
  const notFound: express.RequestHandler = (_req, res) => {
    res
      .status(404)
      .type('html')
      .send(
        views.page('error', { title: tr(res).t('error.notFound'), message: tr(res).t('error.noPage') }, res),
      );
  };
  // A missing asset is answered here, not by the routes after it (its error from `send` is not exposed).
  app.use('/static', express.static(PUBLIC_DIR, { index: false, maxAge: '1h' }), notFound);
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(csrf(deps.csrfSecret ?? randomBytes(32)));
  // The pages polled most (the kiosk board, the overview and its fragments) first: fewer routers to walk.
  app.use(kioskRoutes(deps, views));
  app.use(
    liveRoutes(
      deps,
      deps.events ?? createSseHub({ version: () => `${deps.sync.version()}|${deps.host?.version ?? 0}` }),
    ),
  );
  app.use(overviewRoutes(deps, views));
  app.use(authRoutes(deps.access, views));
  app.use(userRoutes(deps.access, views));
  app.use(auditRoutes(deps.access, views));
  app.use(actionRoutes(deps, views));
  app.use(planRoutes(deps, views));
  app.use(revisionRoutes(deps, views));
  app.use(runRoutes(deps, views));
  app.use(workloadRoutes(deps, views));
  app.use(settingsRoutes(deps, views));
  app.use(supportRoutes(deps, views));
  app.use(tunnelRoutes({ tunnel: deps.tunnel ?? null }, views));
  app.use(langRoutes());
  app.use(notFound);
  app.use(errorHandler(deps.log, views));
  return app;
}
