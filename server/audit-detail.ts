// The audit log's own detail lines (and a hold's target): one English template per shape, filled by the writers and read back by the
// console, which says the same in the reader's language (catalogue key `audit.d.<shape>`). An error's own words
// go in a `raw` placeholder: the console shows them only under "Details for support". Details that are someone
// else's words (a hold reason) match no shape and are shown as they are.
import { ROLES } from './db/users.ts';
import { isSourceKind } from './sources/kinds.ts';
import { TUNNEL_PROBLEMS } from './tunnel/model.ts';

/**
 * What a placeholder holds, so a line is read back only when every value is of its kind. `raw` is an error's own
 * words (the last placeholder of a shape, running to the end of the line); `tunnel-problem` a code of
 * tunnel/model.ts's TUNNEL_PROBLEMS; `source-kind` a source kind.
 */
type Kind = 'role' | 'time' | 'count' | 'text' | 'raw' | 'tunnel-problem' | 'source-kind';

interface Shape {
  text: string;
  kinds: Readonly<Record<string, Kind>>;
}

/** Every shape, tried in this order (a longer shape before the shorter one it starts like). */
export const AUDIT_DETAILS = {
  'admin-created': { text: 'first admin created with the enrollment code', kinds: {} },
  'setup-closed': { text: 'closed', kinds: {} },
  'setup-no-code': { text: 'no-code', kinds: {} },
  'setup-wrong-code': { text: 'wrong-code', kinds: {} },
  'setup-used': { text: 'used', kinds: {} },
  'setup-expired': { text: 'expired', kinds: {} },
  'role-expiring': { text: 'role {role}, expires {at}', kinds: { role: 'role', at: 'time' } },
  role: { text: 'role {role}', kinds: { role: 'role' } },
  'role-change': { text: '{from} → {to}', kinds: { from: 'role', to: 'role' } },
  never: { text: 'never', kinds: {} },
  until: { text: '{at}', kinds: { at: 'time' } },
  'bundle-size': { text: '{n} bytes', kinds: { n: 'count' } },
  'tunnel-requested': { text: 'for {n} min, until {at}', kinds: { n: 'count', at: 'time' } },
  'tunnel-extended': { text: 'now open until {at}', kinds: { at: 'time' } },
  'tunnel-by-hand': { text: 'closed by hand', kinds: {} },
  'tunnel-stopping': { text: 'Outpost is stopping', kinds: {} },
  'tunnel-ran-out': { text: 'the time granted by {name} ran out', kinds: { name: 'text' } },
  'tunnel-port': {
    text: "port {port} on the bastion's loopback leads to the console",
    kinds: { port: 'count' },
  },
  'tunnel-problem': { text: '{code}: {error}', kinds: { code: 'tunnel-problem', error: 'raw' } },
  'restart-failed': { text: 'restart failed: {error}', kinds: { error: 'raw' } },
  'upload-refused': { text: 'refused: {error}', kinds: { error: 'raw' } },
  'source-refused': {
    text: '{kind} {url} refused: {error}',
    kinds: { kind: 'source-kind', url: 'text', error: 'raw' },
  },
  'setting-reset': { text: '{before} → configuration ({after})', kinds: { before: 'text', after: 'text' } },
  // A hold's target (not its detail, which is the reason typed by whoever held).
  'hold-until': { text: 'until {at}', kinds: { at: 'time' } },
  'restarted-at': { text: 'restartedAt {at}', kinds: { at: 'time' } },
  version: { text: 'version {version}', kinds: { version: 'text' } },
} as const satisfies Record<string, Shape>;

export type AuditDetailShape = keyof typeof AUDIT_DETAILS;
export const AUDIT_DETAIL_SHAPES = Object.keys(AUDIT_DETAILS) as AuditDetailShape[];
export type AuditDetailParams = Readonly<Record<string, string | number>>;

/** A detail line read back: its shape and values (counts as numbers). */
export interface AuditDetail {
  shape: AuditDetailShape;
  params: AuditDetailParams;
}

/** How much of an error's own words a line keeps: enough for support, bounded for the store and the reader. */
const RAW_LIMIT = 2000;
/** The longest line read back as a shape (a raw error at its limit and the rest of the line). */
const LINE_LIMIT = RAW_LIMIT + 500;

/** The English line for a shape, as stored (and shown by the CLI and the support bundle). */
export function auditDetail(shape: AuditDetailShape, params: AuditDetailParams = {}): string {
  const kinds: Readonly<Record<string, Kind>> = AUDIT_DETAILS[shape].kinds;
  return AUDIT_DETAILS[shape].text.replace(/\{(\w+)\}/g, (m, k: string) => {
    if (!Object.hasOwn(params, k)) return m;
    const v = String(params[k]);
    // An error may span lines; the stored line is one line.
    return kinds[k] === 'raw' ? v.replace(/\s+/g, ' ').slice(0, RAW_LIMIT) || '-' : v;
  });
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function parsed(kind: Kind, raw: string): string | number | null {
  if (raw === '') return null;
  if (kind === 'role') return (ROLES as readonly string[]).includes(raw) ? raw : null;
  if (kind === 'time') return ISO.test(raw) && Number.isFinite(Date.parse(raw)) ? raw : null;
  if (kind === 'count') return /^\d{1,15}$/.test(raw) ? Number(raw) : null;
  if (kind === 'tunnel-problem') return (TUNNEL_PROBLEMS as readonly string[]).includes(raw) ? raw : null;
  if (kind === 'source-kind') return isSourceKind(raw) ? raw : null;
  return raw;
}

/** Template pieces: literal text at even places, placeholder names at odd places. */
const pieces = (text: string): string[] => text.split(/\{(\w+)\}/);

function readAs(shape: AuditDetailShape, line: string): AuditDetail | null {
  const { text, kinds } = AUDIT_DETAILS[shape] as Shape;
  const parts = pieces(text);
  if (!line.startsWith(parts[0] as string)) return null;
  let at = (parts[0] as string).length;
  const params: Record<string, string | number> = {};
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i] as string;
    const next = parts[i + 1] as string;
    const last = i + 2 >= parts.length;
    // The last value runs to where the closing text starts; the others to the next literal's first occurrence.
    const end = last ? line.length - next.length : next === '' ? -1 : line.indexOf(next, at);
    if (end < at || (last && !line.endsWith(next))) return null;
    const value = parsed(kinds[name] as Kind, line.slice(at, end));
    if (value === null) return null;
    params[name] = value;
    at = end + next.length;
  }
  return at === line.length ? { shape, params } : null;
}

/** The shape of one of our own detail lines, or null for anything else (old free text, someone else's words). */
export function readAuditDetail(line: string | null | undefined): AuditDetail | null {
  if (!line || line.length > LINE_LIMIT) return null;
  for (const shape of AUDIT_DETAIL_SHAPES) {
    const found = readAs(shape, line);
    if (found) return found;
  }
  return null;
}
