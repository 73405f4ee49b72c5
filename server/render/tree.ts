// Paths inside a revision's file tree: normalised, never escaping the root; files decoded only when read.
import path from 'node:path/posix';
import { contentBytes, type FileTree, TREE_LIMITS } from '../sources/types.ts';
import { RenderError } from './errors.ts';

const MANIFEST = /\.(ya?ml|json)$/i;

/** Normalises a path inside the tree; refuses anything that escapes the revision root. */
export function treePath(p: string, context: string): string {
  if (path.isAbsolute(p)) throw new RenderError(`${context}: absolute path "${p}" is not allowed`);
  const norm = path.normalize(p);
  if (norm === '..' || norm.startsWith('../'))
    throw new RenderError(`${context}: "${p}" is outside the revision`);
  const trimmed = norm.length > 1 ? norm.replace(/\/$/, '') : norm;
  return trimmed === '.' ? '' : trimmed;
}

/** Every manifest file below `dir`, in a stable order. */
export function filesUnder(files: FileTree, dir: string): string[] {
  const prefix = dir ? `${dir}/` : '';
  return Object.keys(files)
    .filter((f) => f.startsWith(prefix) && MANIFEST.test(f))
    .sort();
}

/**
 * What one render has read: only these files count against the per-file and total limits, so a revision may
 * hold large files (images, docs) that no build reads. Set by withReadBudget while a render runs.
 */
interface Budget {
  read: Set<string>;
  bytes: number;
}
let budget: Budget | null = null;

export const READ_LIMITS = {
  maxFileBytes: TREE_LIMITS.maxFileBytes,
  maxTotalBytes: TREE_LIMITS.maxTotalBytes,
};

/** Runs `fn` (one render) with a fresh read budget. */
export function withReadBudget<T>(fn: () => T): T {
  const outer = budget;
  budget = { read: new Set(), bytes: 0 };
  try {
    return fn();
  } finally {
    budget = outer;
  }
}

function charge(p: string, bytes: number): void {
  if (!budget || budget.read.has(p)) return;
  if (bytes > READ_LIMITS.maxFileBytes)
    throw new RenderError(`${p}: larger than ${READ_LIMITS.maxFileBytes} bytes`);
  budget.read.add(p);
  budget.bytes += bytes;
  if (budget.bytes > READ_LIMITS.maxTotalBytes) {
    throw new RenderError(`more than ${READ_LIMITS.maxTotalBytes} bytes of files read (at ${p})`);
  }
}

/** The bytes of the file at `p`, or undefined: only the tree's own entries are files (never `__proto__`). */
export function bytesAt(files: FileTree, p: string): Uint8Array | undefined {
  if (!Object.hasOwn(files, p)) return undefined;
  const c = files[p] as FileTree[string];
  charge(p, contentBytes(c));
  return typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
}

const decoded = new WeakMap<Uint8Array, string>();
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of bytes that are UTF-8, else undefined. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The text of the file at `p` (UTF-8; anything else replaced), or undefined when there is no such file. */
export function fileAt(files: FileTree, p: string): string | undefined {
  if (!Object.hasOwn(files, p)) return undefined;
  const c = files[p] as FileTree[string];
  charge(p, contentBytes(c));
  if (typeof c === 'string') return c;
  let text = decoded.get(c);
  if (text === undefined) {
    text = utf8.decode(c);
    decoded.set(c, text);
  }
  return text;
}
