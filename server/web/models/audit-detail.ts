// An audit entry's detail in the reader's language: our own lines (server/audit-detail.ts) from the catalogue, an
// error's own words apart (for "Details for support"), anything else (old free text, a hold reason) as written.
import { AUDIT_DETAILS, readAuditDetail } from '../../audit-detail.ts';
import type { Format } from '../format.ts';
import type { Translator } from '../i18n/index.ts';

type Say = Pick<Translator, 't' | 'tn'> & { fmt: Pick<Format, 'time'> };

/** What the audit page shows of a detail: the sentence, and the raw text it folds under "Details for support". */
export interface AuditDetailSaid {
  text: string;
  support: string | null;
}

export function auditDetailSaid(line: string | null | undefined, { t, tn, fmt }: Say): AuditDetailSaid {
  const found = readAuditDetail(line);
  if (!found) return { text: line ?? '', support: null };
  const kinds: Readonly<Record<string, string>> = AUDIT_DETAILS[found.shape].kinds;
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
  const key = `audit.d.${found.shape}`;
  // A shape that counts something (`{n}`) is a plural key: Russian says 1 минуту, 3 минуты, 5 минут.
  const text = typeof params.n === 'number' ? tn(key, params.n, params) : t(key, params);
  return { text, support };
}

/** The sentence alone (a hold's target, which never carries an error). */
export function auditDetailText(line: string | null | undefined, say: Say): string {
  return auditDetailSaid(line, say).text;
}
