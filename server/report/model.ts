// What a node reports upward, schema v1: the event types, the status snapshot, the CloudEvents envelope and
// the MQTT topics. Pure: no I/O, no library, so config, the CLI and tests can use it freely.
import type { OutboxEvent, Severity, StoredEvent } from '../db/outbox.ts';
import type { Overall } from '../sync/node-state.ts';

export const SCHEMA = 'urn:outpost:report:v1';
export const STATUS_SCHEMA = 'outpost.status/v1';

export const EVENT = {
  run: 'io.outpost.run.finished',
  state: 'io.outpost.state.changed',
  action: 'io.outpost.action',
  heartbeat: 'io.outpost.heartbeat',
  dropped: 'io.outpost.report.dropped',
} as const;
export type EventType = (typeof EVENT)[keyof typeof EVENT];

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error'];

export interface Identity {
  node: string;
  site: string;
}

/** What the retained status message and every heartbeat and state event carry. */
export interface StatusSnapshot {
  state: Overall;
  reasons: string[];
  /** When `state` last changed. */
  since: string;
  running: { revision: string; version: string | null } | null;
  held: { revision: string; reason: string } | null;
  hold: { until: string } | null;
  upstream: { reachable: boolean | null; lastContact: string | null };
  host?: {
    cpu: number | null;
    mem: number | null;
    disk: number | null;
    temp: number | null;
    uptimeS: number;
  };
}

export interface ReportConfig {
  identity: Identity;
  /** Most events kept while a sink cannot deliver. */
  backlog: number;
  heartbeatMs: number;
  mqtt: {
    url: string;
    prefix: string;
    /** PEM CA bundle to pin (mqtts://); the system's CAs when unset. */
    caFile?: string;
    /** `user:password`, read at every connect (a mounted Secret may rotate). */
    authFile?: string;
  } | null;
  webhook: {
    url: string;
    /** HMAC-SHA256 key for the X-Outpost-Signature header. */
    secretFile?: string;
    /** Types sent (exact, or a prefix ending in `*`); all when empty. */
    types: string[];
    minSeverity: Severity;
  } | null;
}

/** A topic segment: MQTT wildcards and separators are never taken from a name. */
export const topicSegment = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_') || '_';

export function topics(prefix: string, id: Identity): { status: string; events: string } {
  const base = `${prefix}/${topicSegment(id.site)}/${topicSegment(id.node)}`;
  return { status: `${base}/status`, events: `${base}/events` };
}

/** Structured-mode CloudEvents 1.0: the same JSON goes to MQTT and to webhooks. */
export function cloudEvent(e: StoredEvent, id: Identity): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: e.id,
    source: `outpost://${topicSegment(id.site)}/${topicSegment(id.node)}`,
    type: e.type,
    subject: id.node,
    time: e.at,
    datacontenttype: 'application/json',
    dataschema: SCHEMA,
    outpostseq: e.seq,
    outpostseverity: e.severity,
    data: e.data,
  };
}

/** The retained status message: the snapshot with who and when, or the Last Will's "offline". */
export function statusMessage(
  id: Identity,
  snap: StatusSnapshot | null,
  online: boolean,
  at: string,
): string {
  return JSON.stringify({ schema: STATUS_SCHEMA, node: id.node, site: id.site, online, at, ...(snap ?? {}) });
}

export function severityAtLeast(s: Severity, min: Severity): boolean {
  return SEVERITIES.indexOf(s) >= SEVERITIES.indexOf(min);
}

export function typeMatches(type: string, patterns: string[]): boolean {
  return (
    patterns.length === 0 ||
    patterns.some((p) => (p.endsWith('*') ? type.startsWith(p.slice(0, -1)) : type === p))
  );
}

export function event(type: EventType, severity: Severity, data: unknown, at = new Date()): OutboxEvent {
  return { id: crypto.randomUUID(), type, severity, at: at.toISOString(), data };
}
