// Turns what happened on the node into outbox events: finished runs worth telling, state changes, staff
// actions from the audit log, and a periodic heartbeat. Reads the store by cursor; never touches a sync.
import { type AuditRow, auditAfter } from '../db/audit.ts';
import type { Db } from '../db/open.ts';
import { appendEvents, cursor, type OutboxEvent, setCursor } from '../db/outbox.ts';
import { getRevision, shortDigest } from '../db/revisions.ts';
import { finishedRunsAfter } from '../db/runs.ts';
import { stateCell } from '../db/state.ts';
import type { HostNow } from '../host/sampler.ts';
import { type NodeStateInputs, nodeState } from '../sync/node-state.ts';
import type { RunRecord } from '../sync/run.ts';
import { EVENT, event, type ReportConfig, type StatusSnapshot } from './model.ts';

export interface CollectorDeps {
  db: Db;
  config: ReportConfig;
  /** The inputs of the node's overall state (the console's own). */
  inputs: () => NodeStateInputs;
  /** The latest host reading, for the heartbeat's summary; null before the first sample. */
  host?: () => HostNow | null;
  clock?: () => Date;
}

/** What the last state event said, kept across restarts so a restart is not a state change. */
interface Reported {
  key: string;
  since: string;
}

/** This module's own key of the state table. */
const reportState = stateCell<Reported>('report_state');

const RUNS = 'collector.runs';
const AUDIT = 'collector.audit';
const BATCH = 200;

/** A scheduled run that changed nothing is what heartbeats already say: it is not an event. */
function worthTelling(r: RunRecord): boolean {
  if (r.result !== 'succeeded' || r.trigger !== 'schedule') return true;
  return r.changes.some((c) => c.action !== 'unchanged' && c.action !== 'skipped');
}

function countChanges(r: RunRecord): Record<string, number> {
  const n: Record<string, number> = { created: 0, configured: 0, deleted: 0, failed: 0 };
  for (const c of r.changes) if (c.action in n) n[c.action] = (n[c.action] ?? 0) + 1;
  return n;
}

const share = (used: number | null, total: number | null) =>
  used !== null && total ? Math.round((used / total) * 1000) / 1000 : null;

/** A few rounded figures: enough to see a full disk or a hot box from the fleet view, small on the wire. */
export function hostSummary(now: HostNow | null): StatusSnapshot['host'] | null {
  if (!now) return null;
  const s = now.sample;
  return {
    cpu: s.cpu === null ? null : Math.round(s.cpu * 1000) / 1000,
    mem: share(s.memUsed, s.memTotal),
    disk: share(s.diskUsed, s.diskTotal),
    temp: s.temp === null ? null : Math.round(s.temp * 10) / 10,
    uptimeS: Math.round(now.uptimeS),
  };
}

export class Collector {
  #d: CollectorDeps;
  #lastHeartbeat = Number.NEGATIVE_INFINITY;

  constructor(d: CollectorDeps) {
    this.#d = d;
    // Reports start from now: history from before reporting was configured is not replayed.
    const top = (table: string) =>
      (d.db.prepare(`SELECT coalesce(max(id), 0) AS id FROM ${table}`).get() as { id: number }).id;
    if (!this.#has(RUNS)) setCursor(d.db, RUNS, top('sync_runs'));
    if (!this.#has(AUDIT)) setCursor(d.db, AUDIT, top('audit'));
  }

  #has(mark: string): boolean {
    return this.#d.db.prepare('SELECT 1 FROM report_cursors WHERE sink = ?').get(mark) !== undefined;
  }

  #now(): Date {
    return this.#d.clock?.() ?? new Date();
  }

  /** The status snapshot as of now (also what the retained MQTT status says). */
  snapshot(): StatusSnapshot {
    const inputs = this.#d.inputs();
    const { overall, reasons } = nodeState(inputs);
    const s = inputs.status;
    const key = this.#key(overall, inputs);
    const reported = reportState.get(this.#d.db);
    const host = hostSummary(this.#d.host?.() ?? null);
    return {
      state: overall,
      reasons: reasons.map((r) => r.code),
      since: reported && reported.key === key ? reported.since : this.#now().toISOString(),
      running: s.applied ? { revision: s.applied.revision, version: s.applied.version } : null,
      held: s.held ? { revision: s.held.from, reason: s.held.reason } : null,
      hold: s.hold ? { until: s.hold.until } : null,
      upstream: { reachable: s.upstream.reachable, lastContact: s.upstream.lastContact },
      ...(host ? { host } : {}),
    };
  }

  /** What makes a state change: the overall word, the running revision, a hold, reachability. */
  #key(overall: string, i: NodeStateInputs): string {
    const s = i.status;
    return JSON.stringify([
      overall,
      s.applied?.digest ?? null,
      s.held?.digest ?? null,
      s.hold?.until ?? null,
      s.upstream.reachable,
    ]);
  }

  /** Appends what happened since the last call; returns how many events were added. */
  collect(): number {
    const { db, config } = this.#d;
    const now = this.#now();
    const events: OutboxEvent[] = [];
    const runs = finishedRunsAfter(db, cursor(db, RUNS), BATCH);
    for (const r of runs) if (worthTelling(r)) events.push(this.#runEvent(r));
    const actions = auditAfter(db, cursor(db, AUDIT), BATCH);
    for (const a of actions) events.push(this.#actionEvent(a));

    const inputs = this.#d.inputs();
    const { overall } = nodeState(inputs);
    const key = this.#key(overall, inputs);
    const reported = reportState.get(db);
    const changed = reported?.key !== key;
    if (changed) {
      const snap = { ...this.snapshot(), since: now.toISOString() };
      const severity =
        overall === 'bad' || overall === 'full' ? 'error' : overall === 'warn' ? 'warning' : 'info';
      events.push(event(EVENT.state, severity, snap, now));
    }
    const heartbeat = now.getTime() - this.#lastHeartbeat >= config.heartbeatMs;
    if (heartbeat && !changed) events.push(event(EVENT.heartbeat, 'info', this.snapshot(), now));

    db.transaction(() => {
      appendEvents(db, events, {
        max: config.backlog,
        dropFirst: EVENT.heartbeat,
        notice: () => event(EVENT.dropped, 'warning', {}, now),
      });
      const lastRun = runs.at(-1);
      if (lastRun) setCursor(db, RUNS, lastRun.id);
      const lastAction = actions.at(-1);
      if (lastAction) setCursor(db, AUDIT, lastAction.id);
      if (changed) reportState.set(db, { key, since: now.toISOString() }, now);
    })();
    // A state event carries the whole snapshot: it counts as the heartbeat too.
    if (heartbeat || changed) this.#lastHeartbeat = now.getTime();
    return events.length;
  }

  #runEvent(r: RunRecord): OutboxEvent {
    const rev = r.revisionId ? getRevision(this.#d.db, r.revisionId) : null;
    const severity = r.result === 'failed' ? 'error' : r.result === 'rolled-back' ? 'warning' : 'info';
    return event(
      EVENT.run,
      severity,
      {
        run: r.id,
        trigger: r.trigger,
        actor: r.actor,
        result: r.result,
        reason: r.reason,
        message: r.message,
        revision: rev ? shortDigest(rev.digest) : null,
        version: rev?.version ?? null,
        changes: countChanges(r),
        durationMs: r.durationMs,
      },
      new Date(r.finishedAt ?? r.startedAt),
    );
  }

  /** The audit entry without its free-text detail: details may quote settings, and reports carry no values. */
  #actionEvent(a: AuditRow): OutboxEvent {
    const failed = a.result === 'failed' || a.result === 'refused';
    return event(
      EVENT.action,
      failed ? 'warning' : 'info',
      {
        actor: a.actor,
        role: a.role ?? null,
        from: a.source ?? null,
        action: a.action,
        target: a.target ?? null,
        result: a.result,
      },
      new Date(a.at),
    );
  }
}
