// Refuses a request for a name the console is not known by (DNS rebinding), before anything else reads it.

import { isIPv4, isIPv6 } from 'node:net';
import { hostname } from 'node:os';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { hostName } from '../../config-sections.ts';
import { requestContext } from '../views.ts';

/** What a Host header names: an IP literal (always allowed: no DNS, nothing to rebind) or a host name. */
export type HostTarget = { kind: 'ip' } | { kind: 'name'; name: string };

/**
 * A Host header (or X-Forwarded-Host) value: `name`, `name:port`, an IPv4 literal with optional port, or a
 * bracketed IPv6 literal with optional port. Null for anything else (several values, a path, a bad port).
 */
export function parseHostHeader(value: string | undefined): HostTarget | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 300) return null;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(value);
  if (!m) return null;
  if (m[3] !== undefined && Number(m[3]) > 65535) return null;
  if (m[1] !== undefined) return isIPv6(m[1]) ? { kind: 'ip' } : null;
  const host = m[2] as string;
  if (isIPv4(host)) return { kind: 'ip' };
  const name = hostName(host);
  return name ? { kind: 'name', name } : null;
}

/** Whether a Host header value names this console. */
export type HostMatcher = (value: string | undefined) => boolean;

/**
 * The names the console answers to: IP literals, `localhost`, the node's name (configured, and the system's
 * host name), each also as `<name>.local` (mDNS), and the configured extra names.
 */
export function hostMatcher(o: { nodeName: string; allowedHosts?: readonly string[] }): HostMatcher {
  const names = new Set<string>(['localhost']);
  for (const own of [o.nodeName, hostname()]) {
    const name = hostName(own);
    if (name) names.add(name).add(`${name}.local`);
  }
  for (const extra of o.allowedHosts ?? []) {
    const name = hostName(extra);
    if (name) names.add(name);
  }
  return (value) => {
    const target = parseHostHeader(value);
    return target !== null && (target.kind === 'ip' || names.has(target.name));
  };
}

/** Names refused so far, logged once each: a stream of rebinding attempts does not flood the log. */
const REPORTED_MAX = 100;

/**
 * Answers 421 when the Host header, or the X-Forwarded-Host a trusted proxy sent (req.host), is not a name
 * of this console. A page on another site that rebinds its name to the node's address sends its own name.
 */
export function hostCheck(allowed: HostMatcher, log: Logger) {
  const reported = new Set<string>();
  return (req: Request, res: Response, next: NextFunction): void => {
    const raw = req.headers.host;
    const forwarded = req.host;
    if (allowed(raw) && (forwarded === raw || allowed(forwarded))) {
      next();
      return;
    }
    const shown = String(forwarded === raw ? raw : `${raw} (forwarded: ${forwarded})`).slice(0, 300);
    if (!reported.has(shown) && reported.size < REPORTED_MAX) {
      reported.add(shown);
      log.warn(
        { host: shown, source: req.socket.remoteAddress },
        'request refused: the Host is not a name of this console (add it to OUTPOST_ALLOWED_HOSTS if it is)',
      );
    }
    res
      .status(421)
      .type('text/plain')
      .send(`${requestContext(res).t('host.wrongName')}\n`);
  };
}
