// Fetched trees hold bytes; tests that wrote text compare them as text.
import type { FileTree } from '../../server/sources/types.ts';

/** Each file's content as UTF-8 text (a plain object, so deepEqual compares paths and text). */
export function asText(files: FileTree): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [p, c] of Object.entries(files)) {
    Object.defineProperty(out, p, {
      value: typeof c === 'string' ? c : Buffer.from(c).toString('utf8'),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
