// An audit entry's detail in the reader's language: our own lines (server/audit-detail.ts) from the catalogue
// (`audit.d.<shape>`), an error's own words apart (for "Details for support"), anything else (old free text, a
// hold reason) as written.
import { AUDIT_DETAILS, readAuditDetail } from '../../audit-detail.ts';
import { type LineSaid, type Say, saidLine } from './said-line.ts';

export function auditDetailSaid(line: string | null | undefined, say: Say): LineSaid {
  return saidLine('audit.d', AUDIT_DETAILS, readAuditDetail(line), line, say);
}

/** The sentence alone (a hold's target, which never carries an error). */
export function auditDetailText(line: string | null | undefined, say: Say): string {
  return auditDetailSaid(line, say).text;
}
