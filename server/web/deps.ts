// What the web layer needs from the rest of Outpost, passed in by main.ts (nothing here creates it).
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SyncService } from '../sync/service.ts';

export interface WebDeps {
  sync: SyncService;
  metrics: Registry;
  log: Logger;
  nodeName: string;
  source: { kind: string; url: string; path: string };
  demo: { reason: string } | null;
  /** True once the store is open and the startup sync has been queued. */
  ready: () => boolean;
  /** Secret for CSRF tokens; random per process unless given (tests). */
  csrfSecret?: Buffer;
}
