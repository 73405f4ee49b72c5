// What a technician recognises a revision by — a commit's subject and author, an upload's file name and uploader —
// cleaned where it enters: commit messages are fleet content and file names LAN input, so both are hostile.

/** The recognisable facts of one fetched revision; a bundle's version and signer are kept beside them. */
export interface RevisionLabel {
  /** git: the commit message's first line. */
  subject?: string;
  /** git: the commit author's name (never the e-mail address). */
  author?: string;
  /** git: the commit time (the committer's), RFC 3339. */
  committedAt?: string;
  /** upload: the bundle's file name as it was uploaded (its base name). */
  uploadName?: string;
  /** upload: who uploaded it (a console user, or `cli:<user>`). */
  uploadedBy?: string;
}

/** Longest kept text, in characters (code points); longer text is cut and ends in "…". */
export const LABEL_LIMITS = { subject: 200, author: 100, uploadName: 200, uploadedBy: 100 } as const;

// Control characters (C0, DEL, C1) and invisible format characters (bidi overrides, zero-width) can reorder,
// hide or fake text on a page or a terminal; line and paragraph separators would break a one-line label.
const CONTROL = /[\p{Cc}\u2028\u2029]+/gu;
const FORMAT = /\p{Cf}+/gu;
const SPACES = /\s+/g;

/**
 * One line of at most `max` characters: control characters become spaces, format characters are dropped, runs
 * of white space collapse. Only a bounded prefix of `text` is ever scanned, however long it is.
 */
export function cleanLine(text: string, max: number): string {
  // Every kept character needs at most one input character; the margin covers what cleaning removes.
  const head = text.length > max * 8 + 64 ? text.slice(0, max * 8 + 64) : text;
  const clean = head.replace(CONTROL, ' ').replace(FORMAT, '').replace(SPACES, ' ').trim();
  const chars = Array.from(clean);
  if (chars.length <= max) return clean;
  return `${chars
    .slice(0, max - 1)
    .join('')
    .trimEnd()}…`;
}

/** What isomorphic-git's readCommit answers, as far as a label reads it. */
interface CommitObject {
  message: string;
  author: { name: string };
  committer: { timestamp: number };
}

/** A commit's label: its subject (first line), its author's name and its commit time. */
export function commitLabel(commit: CommitObject): RevisionLabel {
  const firstLine = commit.message.slice(0, commit.message.search(/\r|\n|$/));
  const out: RevisionLabel = {};
  const subject = cleanLine(firstLine, LABEL_LIMITS.subject);
  if (subject) out.subject = subject;
  const author = cleanLine(commit.author.name, LABEL_LIMITS.author);
  if (author) out.author = author;
  const ms = commit.committer.timestamp * 1000;
  // A forged timestamp outside what a Date can hold is left out rather than shown as "Invalid Date".
  if (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15) out.committedAt = new Date(ms).toISOString();
  return out;
}

/** An upload's label: the base name of the file as uploaded (a path from the CLI, a name from a form) and who. */
export function uploadLabel(fileName: string, by: string | undefined): RevisionLabel {
  const out: RevisionLabel = {};
  const base = fileName.slice(0, 4096).split(/[\\/]/).pop() ?? '';
  const name = cleanLine(base, LABEL_LIMITS.uploadName);
  if (name) out.uploadName = name;
  const who = by === undefined ? '' : cleanLine(by, LABEL_LIMITS.uploadedBy);
  if (who) out.uploadedBy = who;
  return out;
}
