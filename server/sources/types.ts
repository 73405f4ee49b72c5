// What every source returns, and the error every source throws.

/** A fetched file tree: relative POSIX path → UTF-8 content. */
export type FileTree = Record<string, string>;

export interface Fetched {
  files: FileTree;
  /** Commit, bundle version, or null for a plain folder. */
  version?: string;
  signer?: string;
}

export interface Source {
  readonly kind: string;
  readonly url: string;
  fetch(): Promise<Fetched>;
}

export class FetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FetchError';
  }
}

/** Limits applied to every fetched tree: a fleet repo is small; anything bigger is a mistake or an attack. */
export const TREE_LIMITS = {
  maxFiles: 5_000,
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024,
};
