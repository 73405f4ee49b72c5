// Paths inside a revision's file tree: normalised, never escaping the root.
import path from 'node:path/posix';
import type { FileTree } from '../sources/types.ts';
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

/** The text of the file at `p`, or undefined: only the tree's own entries are files (never `toString`, `__proto__`). */
export function fileAt(files: FileTree, p: string): string | undefined {
  return Object.hasOwn(files, p) ? files[p] : undefined;
}
