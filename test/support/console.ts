// The console app over a test fleet: createApp with the dependencies every console test gives it alike.
import type { Express } from 'express';
import { Registry } from '../../server/metrics.ts';
import { createApp } from '../../server/web/app.ts';
import type { WebDeps } from '../../server/web/deps.ts';
import type { Fleet } from './fleet.ts';
import { silentLog } from './log.ts';

/** What a test must give `fleetApp`: the sync and access services, and anything it wants other than the defaults. */
export type FleetAppOptions = Pick<WebDeps, 'sync' | 'access'> & Partial<WebDeps>;

/**
 * The console over `f`'s source folder: silent, with its own metrics registry, node name `gw`, not a demo and
 * always ready; `opts` adds to or overrides any of these.
 */
export function fleetApp(f: Fleet, opts: FleetAppOptions): Express {
  return createApp({
    metrics: new Registry(),
    log: silentLog,
    nodeName: 'gw',
    source: { kind: 'dir', url: f.sourceDir, path: '.' },
    demo: null,
    ready: () => true,
    ...opts,
  });
}
