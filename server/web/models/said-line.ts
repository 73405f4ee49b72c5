// One of our stored English lines (server/lines.ts: audit details, run messages) in the reader's language: the
// sentence from the catalogue (`<prefix>.<shape>`), an error's own words apart for "Details for support", and
// anything that is not one of our lines (old free text, someone else's words) as it was written.
import type { LineParams, LineShape } from '../../lines.ts';
import type { Format } from '../format.ts';
import type { Translator } from '../i18n/index.ts';

export type Say = Pick<Translator, 't' | 'tn'> & { fmt: Pick<Format, 'time'> };

/** What a page shows of a line: the sentence, and the raw text it folds under "Details for support". */
export interface LineSaid {
  text: string;
  support: string | null;
}

export function saidLine<S extends string>(
  prefix: string,
  shapes: Readonly<Record<S, LineShape>>,
  found: { shape: S; params: LineParams } | null,
  line: string | null | undefined,
  { t, tn, fmt }: Say,
): LineSaid {
  if (!found) return { text: line ?? '', support: null };
  const kinds = shapes[found.shape].kinds;
  const params: Record<string, string | number> = {};
  let support: string | null = null;
  for (const [name, value] of Object.entries(found.params)) {
    const kind = kinds[name];
    if (kind === 'raw') support = String(value);
    else if (kind === 'role') params[name] = t(`role.${value}`);
    else if (kind === 'time') params[name] = fmt.time(String(value));
    else if (kind === 'tunnel-problem') params[name] = t(`tunnel.problem.${value}`);
    else params[name] = value;
  }
  const key = `${prefix}.${found.shape}`;
  // A shape that counts something (`{n}`) is a plural key: Russian says 1 минуту, 3 минуты, 5 минут.
  const text = typeof params.n === 'number' ? tn(key, params.n, params) : t(key, params);
  return { text, support };
}
