// What every source returns, the errors sources throw, and the limits every fetch obeys.
import type { SourceKind } from './kinds.ts';
import type { RevisionLabel } from './label.ts';

/**
 * A file's content: the bytes as fetched. Text is accepted too (trees written by hand, tests, revisions stored
 * before bytes were kept); render decodes bytes only for the files a build reads (render/tree.ts).
 */
export type FileContent = string | Uint8Array;

/** A fetched file tree: relative POSIX path → content. */
export type FileTree = Record<string, FileContent>;

/** The content's size in bytes (UTF-8 for text). */
export function contentBytes(c: FileContent): number {
  return typeof c === 'string' ? Buffer.byteLength(c) : c.byteLength;
}

/**
 * A file tree's paths are plain-object keys all the way down (render, the store, the worker's clone), and
 * assigning to `__proto__` sets a prototype instead of adding a file: such a path is refused by name, in
 * every source. Every other name, `constructor` and `prototype` included, is an ordinary file name.
 */
export function isReservedPath(treePath: string): boolean {
  return treePath.split('/').includes('__proto__');
}

export function reservedNameMessage(treePath: string): string {
  return `"${treePath}": no file or folder may be named __proto__ (the name is reserved by JavaScript, which Outpost runs on); rename it`;
}

export interface Fetched {
  files: FileTree;
  /** git: the commit sha; signed bundles: the signed `version=` as a decimal string; a plain folder: none. */
  version?: string;
  /** Signed bundles: the minisign key id (16 hex digits, as `minisign` prints it) that signed it. */
  signer?: string;
  /** Signed bundles: the signed `expires=` time (RFC 3339), when the signature carries one. */
  expires?: string;
  /** Bundles only: false when it was accepted without a signature (OUTPOST_REQUIRE_SIGNATURE off). */
  signed?: boolean;
  /** What a technician recognises it by: git's commit subject and author, an upload's file name and uploader. */
  label?: RevisionLabel;
  /** Opaque: pass it back as `prev.token` on the next poll so an unchanged upstream costs almost nothing. */
  token?: string;
  /** Which kind of source this tree came from, when a combined source chose (an upload over the upstream). */
  origin?: SourceKind;
  /** Set when this came from an on-site upload because the upstream could not be read: why not. */
  upstreamError?: string;
}

/** The upstream has not changed since the poll that returned `prev.token`; nothing was downloaded. */
export interface Unchanged {
  unchanged: true;
  /** The token to keep (may differ from the one passed in, e.g. a refreshed Last-Modified). */
  token?: string;
}

export type FetchResult = Fetched | Unchanged;

/** What the caller remembers from the last accepted fetch (stored with the revision). */
export interface PollState {
  token?: string;
  /**
   * Download the whole content even if the token says it is unchanged (an ETag is only as honest as its
   * server); a source that keeps memory in its token (which side won, for uploads) still reads it.
   */
  full?: boolean;
}

/**
 * One place the desired state is published.
 *
 * `fetch()` without a token always returns the whole tree. With the token from the last result it may
 * instead return `{ unchanged: true }`, and then it has downloaded nothing but a ref, a 304 or one HEAD.
 * Bundles (http, oci, upload) are signature-checked before they are returned; anti-rollback against the
 * highest version already verified is the caller's (see `checkVersion` in verify.ts).
 */
export interface Source {
  readonly kind: SourceKind;
  readonly url: string;
  fetch(): Promise<Fetched>;
  fetch(prev: PollState | undefined): Promise<FetchResult>;
  /**
   * "Is the upstream back?" at the cost of the source's own conditional check (one HEAD, one ref advertisement,
   * one manifest HEAD, one stat); downloads no content. True when it answers as a working upstream does.
   */
  probe(): Promise<boolean>;
}

export function isUnchanged(r: FetchResult): r is Unchanged {
  return (r as Unchanged).unchanged === true;
}

/** Builds a Source from one conditional fetch function (the overloads above are a typing convenience). */
export function defineSource(
  kind: SourceKind,
  url: string,
  fetch: (prev?: PollState) => Promise<FetchResult>,
  probe: () => Promise<boolean>,
): Source {
  return { kind, url, fetch: fetch as Source['fetch'], probe };
}

/** A probe body that answers false instead of throwing: an unreachable upstream is the expected answer. */
export async function answers(check: () => Promise<boolean | undefined>): Promise<boolean> {
  try {
    return (await check()) !== false;
  } catch {
    return false;
  }
}

/** The upstream could not be read: unreachable, slow, an HTTP error, a truncated or malformed download. */
export class FetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FetchError';
  }
}

/**
 * A fleet repo is small; anything bigger is a mistake or an attack. maxFiles and maxTotalBytes bound every
 * fetched tree; maxFileBytes and maxTotalBytes bound what a render reads (render/tree.ts), so a large file
 * no build reads (a PNG in docs/) is stored, digested and never decoded.
 */
export const TREE_LIMITS = {
  maxFiles: 5_000,
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024,
};

/** Every limit a fetch obeys; sources take a partial override (tests use small ones). */
export interface FetchLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
  /**
   * Largest single git object (a blob, a tree, or what a delta rebuilds), read from the pack's object
   * headers before anything is inflated. Separate from maxFileBytes, which names the file, so that limits
   * on the files a build reads can change without loosening this memory wall.
   */
  maxObjectBytes: number;
  /**
   * A git server's list of branches and tags (discovery, ls-refs), which isomorphic-git parses whole:
   * measured, a 3.9 MB list took it to 139 MB and 3 s, a 62.5 MB one to 732 MB and 65 s. A fleet
   * repository's list is a few KB.
   */
  maxRefListBytes: number;
  /** A downloaded bundle or git pack, as it comes over the wire. */
  maxDownloadBytes: number;
  /** Whole-request deadline, connect to last byte. */
  timeoutMs: number;
}

export const FETCH_LIMITS: FetchLimits = {
  ...TREE_LIMITS,
  // Large enough for the images and bundles a repository keeps beside its manifests.
  maxObjectBytes: 16 * 1024 * 1024,
  maxRefListBytes: 1024 * 1024,
  maxDownloadBytes: 64 * 1024 * 1024,
  timeoutMs: 60_000,
};

export function fetchLimits(override: Partial<FetchLimits> = {}): FetchLimits {
  const out = { ...FETCH_LIMITS };
  for (const [k, v] of Object.entries(override)) if (v !== undefined) out[k as keyof FetchLimits] = v;
  return out;
}
