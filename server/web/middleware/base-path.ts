// Serving under a path prefix (a reverse proxy's /support/gw-17): strip it for routing, remember it for links.
import type { NextFunction, Request, Response } from 'express';
import type { AddressMatcher } from '../../auth/addresses.ts';

/**
 * With a configured base, a request under it is routed with the prefix removed and every link, redirect and
 * cookie path gets it back through `res.locals.base`. A proxy that strips the prefix itself may say so with
 * X-Forwarded-Prefix, honoured only from a trusted proxy and only when it names the configured base. Requests
 * without the prefix (kubelet probes, the LAN) are served at the root with base ''.
 */
export function basePath(configured: string, trustedPeer: AddressMatcher) {
  return (req: Request, res: Response, next: NextFunction): void => {
    let base = '';
    if (configured) {
      const url = req.url;
      const rest = url.slice(configured.length);
      if (url.startsWith(configured) && (rest === '' || rest.startsWith('/') || rest.startsWith('?'))) {
        req.url = rest.startsWith('/') ? rest : `/${rest}`;
        base = configured;
      } else if (
        trustedPeer(req.socket.remoteAddress) &&
        (req.get('x-forwarded-prefix') ?? '').replace(/\/+$/, '') === configured
      ) {
        base = configured;
      }
    }
    res.locals.base = base;
    next();
  };
}
