// English lines written from one template per shape and read back only when every value fits its kind: how the
// audit log's details (audit-detail.ts) and a run's message (sync/run-message.ts) are stored in English (for the
// CLI, the log and the support bundle) and said by the console in the reader's language.
import { ROLES } from './db/users.ts';
import { isSourceKind } from './sources/kinds.ts';
import { TUNNEL_PROBLEMS } from './tunnel/model.ts';

/**
 * What a placeholder holds, so a line is read back only when every value is of its kind. `raw` is an error's own
 * words (the last placeholder of a shape, running to the end of the line), which the console shows only under
 * "Details for support"; `tunnel-problem` a code of tunnel/model.ts's TUNNEL_PROBLEMS; `source-kind` a source kind.
 */
export type LineKind = 'role' | 'time' | 'count' | 'text' | 'raw' | 'tunnel-problem' | 'source-kind';

export interface LineShape {
  text: string;
  kinds: Readonly<Record<string, LineKind>>;
}

export type LineParams = Readonly<Record<string, string | number>>;

/** How much of an error's own words a line keeps: enough for support, bounded for the store and the reader. */
const RAW_LIMIT = 2000;
/** The longest line read back as a shape (a raw error at its limit and the rest of the line). */
const LINE_LIMIT = RAW_LIMIT + 500;

/** The English line for a shape, with its values filled in. */
export function writeLine(shape: LineShape, params: LineParams = {}): string {
  return shape.text.replace(/\{(\w+)\}/g, (m, k: string) => {
    if (!Object.hasOwn(params, k)) return m;
    const v = String(params[k]);
    // An error may span lines; the stored line is one line.
    return shape.kinds[k] === 'raw' ? v.replace(/\s+/g, ' ').slice(0, RAW_LIMIT) || '-' : v;
  });
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function parsed(kind: LineKind, raw: string): string | number | null {
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

function readAs(shape: LineShape, line: string): LineParams | null {
  const parts = pieces(shape.text);
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
    const value = parsed(shape.kinds[name] as LineKind, line.slice(at, end));
    if (value === null) return null;
    params[name] = value;
    at = end + next.length;
  }
  return at === line.length ? params : null;
}

/**
 * The first of `shapes` (in their order: a longer shape before the shorter one it starts like) that `line` is, with
 * its values (counts as numbers); null for anything else (old free text, someone else's words).
 */
export function readLine<S extends string>(
  shapes: Readonly<Record<S, LineShape>>,
  line: string | null | undefined,
): { shape: S; params: LineParams } | null {
  if (!line || line.length > LINE_LIMIT) return null;
  for (const shape of Object.keys(shapes) as S[]) {
    const params = readAs(shapes[shape], line);
    if (params) return { shape, params };
  }
  return null;
}
