// An audit entry's detail in the reader's language: our own lines (server/audit-detail.ts) from the catalogue,
// anything else (old free text, an error's own words) as it was written.
import { AUDIT_DETAILS, readAuditDetail } from '../../audit-detail.ts';
import type { Format } from '../format.ts';
import type { Translator } from '../i18n/index.ts';

type Say = Pick<Translator, 't' | 'tn'> & { fmt: Pick<Format, 'time'> };

export function auditDetailText(line: string | null | undefined, { t, tn, fmt }: Say): string {
  const found = readAuditDetail(line);
  if (!found) return line ?? '';
  const kinds: Readonly<Record<string, string>> = AUDIT_DETAILS[found.shape].kinds;
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(found.params)) {
    const kind = kinds[name];
    params[name] = kind === 'role' ? t(`role.${value}`) : kind === 'time' ? fmt.time(String(value)) : value;
  }
  const key = `audit.d.${found.shape}`;
  // A shape that counts something (`{n}`) is a plural key: Russian says 1 минуту, 3 минуты, 5 минут.
  return typeof params.n === 'number' ? tn(key, params.n, params) : t(key, params);
}
