// The fleet table a reference consumer builds from the nodes' retained status messages: parse, sort, print.
import { byText } from '../order.ts';
import { STATUS_SCHEMA } from './model.ts';

export interface FleetRow {
  node: string;
  site: string;
  /** ok | warn | bad | full | none, or offline when the node's Last Will has spoken. */
  state: string;
  online: boolean;
  running: string | null;
  since: string | null;
  /** When the node last published its status. */
  seen: string | null;
  reasons: string[];
}

/** Worst first: what needs someone's attention leads the table. */
const STATE_ORDER = ['bad', 'full', 'offline', 'warn', 'none', 'ok'];
export const SORT_KEYS = ['state', 'node', 'site', 'since', 'seen'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** One retained status message, or null when it is not one of ours (another schema, not JSON). */
export function parseStatus(payload: string): FleetRow | null {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (m === null || typeof m !== 'object' || m.schema !== STATUS_SCHEMA) return null;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const online = m.online === true;
  const running = m.running as { revision?: unknown; version?: unknown } | null | undefined;
  return {
    node: str(m.node) ?? '?',
    site: str(m.site) ?? '?',
    state: online ? (str(m.state) ?? 'none') : 'offline',
    online,
    running: running
      ? str(running.version)
        ? `v${running.version}`
        : (str(running.revision) ?? null)
      : null,
    since: str(m.since),
    seen: str(m.at),
    reasons: Array.isArray(m.reasons) ? m.reasons.filter((r): r is string => typeof r === 'string') : [],
  };
}

export function sortFleet(rows: FleetRow[], key: SortKey): FleetRow[] {
  const rank = (s: string) => {
    const i = STATE_ORDER.indexOf(s);
    return i === -1 ? STATE_ORDER.length : i;
  };
  const byName = (a: FleetRow, b: FleetRow) => byText(a.site, b.site) || byText(a.node, b.node);
  const cmp: Record<SortKey, (a: FleetRow, b: FleetRow) => number> = {
    state: (a, b) => rank(a.state) - rank(b.state) || byName(a, b),
    node: (a, b) => byText(a.node, b.node) || byName(a, b),
    site: byName,
    // Oldest first: what has been in its state, or silent, the longest.
    since: (a, b) => byText(a.since ?? '', b.since ?? '') || byName(a, b),
    seen: (a, b) => byText(a.seen ?? '', b.seen ?? '') || byName(a, b),
  };
  return [...rows].sort(cmp[key]);
}

function age(iso: string | null, now: number): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172_800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

export function formatFleet(rows: FleetRow[], now = Date.now()): string {
  const head = ['NODE', 'SITE', 'STATE', 'RUNNING', 'SINCE', 'LAST SEEN', 'WHY'];
  const body = rows.map((r) => [
    r.node,
    r.site,
    r.state,
    r.running ?? '-',
    age(r.since, now),
    age(r.seen, now),
    r.reasons.filter((x) => x !== 'ok').join(',') || '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const counts = STATE_ORDER.map((s) => [s, rows.filter((r) => r.state === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  return [line(head), ...body.map(line), '', `${rows.length} nodes${counts ? `: ${counts}` : ''}`].join('\n');
}
