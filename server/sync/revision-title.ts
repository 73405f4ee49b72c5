// The one choice of what names a revision for people: a git commit's subject and author, an upload's file name and
// uploader, or a signed bundle's version and key id. The console, the kiosk and the CLI all show this choice.
import type { RevisionSummary } from '../db/revisions.ts';
import { isSignedKind } from '../sources/kinds.ts';

export type RevisionTitle =
  | { kind: 'commit'; subject: string; author: string | null; committedAt: string | null }
  | { kind: 'upload'; name: string; by: string | null; version: string | null; signer: string | null }
  | { kind: 'bundle'; version: string; signer: string | null };

type Labelled = Pick<
  RevisionSummary,
  'sourceKind' | 'version' | 'signer' | 'subject' | 'author' | 'committedAt' | 'uploadName' | 'uploadedBy'
>;

/** What names the revision; null when nothing but its digest does (a folder, a revision stored before labels). */
export function revisionTitle(r: Labelled): RevisionTitle | null {
  if (r.subject !== null)
    return { kind: 'commit', subject: r.subject, author: r.author, committedAt: r.committedAt };
  if (r.uploadName !== null)
    return { kind: 'upload', name: r.uploadName, by: r.uploadedBy, version: r.version, signer: r.signer };
  // A git revision's version is its commit sha, which the digest column already stands for.
  if (r.version !== null && isSignedKind(r.sourceKind))
    return { kind: 'bundle', version: r.version, signer: r.signer };
  return null;
}

/** The title as one English line, for the CLI: `Bump web to 1.2 — Ada`, `upload: site.tar.gz by tech`, … */
export function titleText(t: RevisionTitle | null): string {
  if (!t) return '';
  switch (t.kind) {
    case 'commit':
      return t.author ? `${t.subject} — ${t.author}` : t.subject;
    case 'upload':
      return `upload: ${t.name}${t.by ? ` by ${t.by}` : ''}${t.version ? ` (version ${t.version})` : ''}`;
    case 'bundle':
      return `version ${t.version} · ${t.signer ? `signed by ${t.signer}` : 'unsigned'}`;
  }
}
