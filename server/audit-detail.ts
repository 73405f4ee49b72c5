// The audit log's own detail lines (and a hold's target): one English template per shape (lines.ts), filled by the
// writers and read back by the console, which says the same in the reader's language (catalogue key
// `audit.d.<shape>`). An error's own words go in a `raw` placeholder: the console shows them only under "Details for
// support". Details that are someone else's words (a hold reason) match no shape and are shown as they are.
import { type LineParams, type LineShape, readLine, writeLine } from './lines.ts';

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
} as const satisfies Record<string, LineShape>;

export type AuditDetailShape = keyof typeof AUDIT_DETAILS;
export const AUDIT_DETAIL_SHAPES = Object.keys(AUDIT_DETAILS) as AuditDetailShape[];
export type AuditDetailParams = LineParams;

/** A detail line read back: its shape and values (counts as numbers). */
export interface AuditDetail {
  shape: AuditDetailShape;
  params: AuditDetailParams;
}

/** The English line for a shape, as stored (and shown by the CLI and the support bundle). */
export function auditDetail(shape: AuditDetailShape, params: AuditDetailParams = {}): string {
  return writeLine(AUDIT_DETAILS[shape], params);
}

/** The shape of one of our own detail lines, or null for anything else (old free text, someone else's words). */
export function readAuditDetail(line: string | null | undefined): AuditDetail | null {
  return readLine<AuditDetailShape>(AUDIT_DETAILS, line);
}
