// The kiosk board: large type, read-only, no controls and no forms; it refreshes itself every few seconds.
import { type Request, type Response, Router } from 'express';
import type { WebDeps } from '../deps.ts';
import { kioskModel } from '../models/kiosk.ts';
import type { Views } from '../views.ts';

export const KIOSK_EVERY_S = 10;

/** ?every=N (2–300 s) lets a slow panel refresh less often and tests watch it refresh quickly. */
function every(req: Request): number {
  const n = Number.parseInt(String(req.query.every ?? ''), 10);
  return Number.isFinite(n) ? Math.min(300, Math.max(2, n)) : KIOSK_EVERY_S;
}

export function kioskRoutes(deps: WebDeps, views: Views): Router {
  const r = Router();
  const send = (kind: 'page' | 'fragment') => (req: Request, res: Response) => {
    const n = every(req);
    const key = `${deps.sync.version()}|${deps.host?.version ?? 0}|${Math.floor(Date.now() / 1000)}|${n}`;
    const data = () => ({ nodeName: deps.nodeName, every: n, ...kioskModel(deps) });
    // No CSRF token on the kiosk: it has nothing to submit. The board is the same for every screen.
    res.locals.csrfToken = '';
    res.setHeader('Cache-Control', 'no-store');
    res
      .type('html')
      .send(views.cached('fragment', kind === 'page' ? 'kiosk' : 'partials/kiosk-board', key, data, res));
  };
  r.get('/kiosk', send('page'));
  r.get('/fragments/kiosk', send('fragment'));
  return r;
}
