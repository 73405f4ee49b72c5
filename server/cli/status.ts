// `outpost status [--json]`: the node's state as the console shows it — sync and health, the overall word, the
// causes and the held revision — from the store, readable while the server runs, with a broken configuration
// (the store's folder is all it needs) and on a read-only folder.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../config.ts';
import { ConfigError } from '../config-error.ts';
import { loadDataDir } from '../config-file.ts';
import { volumeStateAt } from '../db/space.ts';
import { type HealthRecord, readHealth } from '../sync/health-record.ts';
import { liveHolder } from '../sync/lock.ts';
import { type Cause, type NodeState, nodeState } from '../sync/node-state.ts';
import { type RevisionTitle, titleText } from '../sync/revision-title.ts';
import { EMPTY_STATUS, readStatus, type SyncStatus } from '../sync/status.ts';
import { en } from '../web/i18n/en.ts';
import { type Command, out } from './io.ts';
import { readStore } from './store.ts';

/**
 * Where the store is, and whether the configuration is usable. A configuration problem is said on stderr and
 * in the exit code (2, as for every command), not a reason to show nothing.
 */
function dataDir(): { dir: string; config: Config | null } {
  try {
    const config = loadConfig();
    return { dir: config.dataDir, config };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const dir = loadDataDir();
    process.stderr.write(
      `outpost: the configuration has problems (the server will not start):\n${err.message}\n`,
    );
    process.stderr.write(`outpost: showing the status stored in ${dir}\n`);
    return { dir, config: null };
  }
}

/** ` "Bump web to 1.2 — Ada"` after a digest, as `outpost revisions` names it; nothing when only the digest does. */
const named = (t: RevisionTitle | null | undefined): string => (t ? ` "${titleText(t)}"` : '');

function upstreamLine(u: SyncStatus['upstream']): string {
  if (u.reachable === null) return 'not contacted yet';
  if (u.broken)
    return `broken since ${u.brokenSince} (it answers, but not with a usable update): ${u.lastError}`;
  if (!u.reachable) return `unreachable since ${u.unreachableSince}`;
  return `reachable, last contact ${u.lastContact}`;
}

/**
 * In the console's English words (its catalogue): the command line says what the page says. The command is a
 * composition root like main.ts, so it may read the web layer's catalogue.
 */
const say = (key: string, vars: Record<string, string | number> = {}): string =>
  (en[key] ?? key).replace(/\{(\w+)\}/g, (m, k: string) => (Object.hasOwn(vars, k) ? String(vars[k]) : m));

/** One cause as the page says it, with what to type where the page has a button. */
export function causeLine(c: Cause): string {
  const vars = c.code === 'refused' ? { ...c.vars, reason: say(`reason.${c.vars.reason}`) } : c.vars;
  const text = say(`cause.${c.code}`, vars);
  return c.code === 'held' ? `${text} (From a shell: \`outpost retry\`.)` : text;
}

interface Reading {
  status: SyncStatus;
  health: HealthRecord | null;
  applying: boolean;
}

const read = (db: Parameters<typeof readStatus>[0]): Reading => ({
  status: readStatus(db),
  health: readHealth(db),
  applying: liveHolder(db) !== null,
});

/** The same model the page computes; health is the server's last reading (none: unknown, not healthy). */
export function stateOfReading(r: Reading): NodeState & { healthReadAt: string | null } {
  const h = r.health;
  const state = nodeState({
    status: r.status,
    health: h?.health ?? { Healthy: 0, Progressing: 0, Degraded: 0, Unknown: 0 },
    liveError: h?.liveError ?? null,
    failing: h?.failing ?? [],
    degraded: h?.degraded ?? [],
    applying: r.applying,
  });
  return { ...state, healthReadAt: h?.at ?? null };
}

function run(args: string[]): number {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const { dir, config } = dataDir();
  const code = config ? 0 : 2;
  let reading: Reading = existsSync(path.join(dir, 'outpost.db'))
    ? readStore(dir, read)
    : { status: EMPTY_STATUS, health: null, applying: false };
  if (config && reading.status !== EMPTY_STATUS) {
    // The server's "data volume full" shows on disk: it released its reserve file.
    const volume = volumeStateAt(config.dataDir, config.store.reserveBytes);
    const s = reading.status;
    reading = {
      ...reading,
      status: { ...s, store: { ...s.store, full: volume.full, limitBytes: config.store.limitBytes } },
    };
  }
  const state = stateOfReading(reading);
  const s = reading.status;
  if (values.json) {
    out(JSON.stringify({ ...s, state }, null, 2));
    return code;
  }
  const c = state.health.counts;
  out(`state:     ${say(`word.${state.word}`)} (${state.overall})`);
  out(
    `sync:      ${say(`syncState.${state.sync.state}`, { since: state.sync.since ?? '' })}${state.sync.revision ? ` (revision ${state.sync.revision})` : ''}`,
  );
  out(
    `health:    ${say(`healthState.${state.health.state}`)} (${c.Healthy} healthy, ${c.Progressing} progressing, ${c.Degraded} degraded${state.healthReadAt ? `; read by the server ${state.healthReadAt}` : '; no reading from the server yet'})`,
  );
  out(
    `applied:   ${s.applied ? `${s.applied.revision}${named(s.applied.title)}${s.applied.version && !s.applied.title ? ` version ${s.applied.version}` : ''} at ${s.applied.at} (${s.applied.objects} objects)` : 'none'}`,
  );
  out(
    `attempted: ${s.attempted ? `${s.attempted.result}${s.attempted.reason ? ` (${s.attempted.reason}: ${s.attempted.message})` : ''} at ${s.attempted.at}` : 'none'}`,
  );
  if (s.held)
    out(
      `held:      ${s.held.from}${named(s.held.title)} since ${s.held.at} — ${s.held.reason}: ${s.held.message} (release: \`outpost retry\`)`,
    );
  if (s.hold) out(`on hold:   until ${s.hold.until} by ${s.hold.by}: ${s.hold.reason}`);
  for (const cause of state.causes) {
    out(`cause:     ${causeLine(cause)}`);
    if (cause.detail) out(`           details: ${cause.detail}`);
  }
  const damaged = `DAMAGED: ${s.store.problem} (syncs stop with StoreCorrupt and remove nothing)`;
  const integrity = s.store.ok ? `ok${s.store.checkedAt ? ` (checked ${s.store.checkedAt})` : ''}` : damaged;
  out(
    `store:     ${s.store.full ? `DATA VOLUME FULL (serving the last good version read-only; history is not recorded)${s.store.ok ? '' : `; ${damaged}`}` : integrity}`,
  );
  if (s.store.bytes > 0)
    out(`size:      ${s.store.bytes} bytes${s.store.limitBytes ? ` of ${s.store.limitBytes} allowed` : ''}`);
  out(`upstream:  ${upstreamLine(s.upstream)}`);
  if (s.upstream.lastFullFetch) out(`verified:  last full fetch ${s.upstream.lastFullFetch}`);
  return code;
}

export const statusCommand: Command = {
  run,
};
