// What the web layer needs from the rest of Outpost, passed in by main.ts (nothing here creates it).

import type { Logger } from 'pino';
import type { AccessService } from '../auth/service.ts';
import type { ApiSample, ApiWindow } from '../host/api-probe.ts';
import type { ChartRange, HostNow, Series, TimedSeries } from '../host/sampler.ts';
import type { Registry } from '../metrics.ts';
import type { SyncService } from '../sync/service.ts';
import type { SupportTunnel } from '../tunnel/tunnel.ts';
import type { SseHub } from './sse.ts';

/** The host sampler as the console reads it: the latest reading and 24 h of buckets, both in memory. */
export interface HostReadings {
  now(): HostNow | null;
  series(): Series;
  /** One chart range on its time grid; absent in tests that stub only the 24 h series. */
  window?(range: ChartRange): TimedSeries;
  readonly version: number;
  readonly intervalMs: number;
}

/** The Kubernetes API's once-a-minute check as the console reads it: the latest answer and a window of them. */
export interface ApiReadings {
  last(): ApiSample | null;
  window(grid: { start: number; stepMs: number; n: number }): ApiWindow;
  readonly version: number;
}

/** How the console is reached; everything defaults to the closed choice. */
export interface ReachOptions {
  /** Served under this prefix too ('' or like /support/gw-17). */
  basePath?: string;
  /** Addresses/CIDRs whose X-Forwarded-* headers are believed; none by default. */
  trustedProxies?: string[];
  /** Addresses/CIDRs whose screens see /kiosk without signing in; loopback by default. */
  kioskAddresses?: string[];
  /**
   * Host names the console answers to besides IP literals, localhost and the node's names (DNS rebinding:
   * any other Host is refused).
   */
  allowedHosts?: string[];
  /** Bearer token for /metrics; null or absent: a session is needed. */
  metricsToken?: string | null;
}

export interface WebDeps {
  sync: SyncService;
  /** Sign-in, sessions, users, kiosk tokens, audit log: every page but a few needs a session from it. */
  access: AccessService;
  reach?: ReachOptions;
  metrics: Registry;
  log: Logger;
  nodeName: string;
  source: { kind: string; url: string; path: string };
  demo: { reason: string } | null;
  /** True once the store is open and the startup sync has been queued. */
  ready: () => boolean;
  /** Secret for CSRF tokens; random per process unless given (tests). */
  csrfSecret?: Buffer;
  /** Host CPU, memory, disk, temperature, network; the node panel says "no readings" without it. */
  host?: HostReadings;
  /** The Kubernetes API's latency and failed checks; the node panel has no API row without it. */
  api?: ApiReadings;
  /** The remote support tunnel; null or absent when no bastion is configured. */
  tunnel?: SupportTunnel | null;
  /** Builds the support bundle (tar.gz); the page offers no download without it. */
  supportBundle?: () => Promise<Buffer>;
  /** Live streams to open pages (change notices, followed logs); one of the app's own when absent. */
  events?: SseHub;
}
