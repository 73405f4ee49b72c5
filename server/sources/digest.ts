// Content address of a file tree: sha256 over sorted (path, content) pairs, independent of fetch order.
import { createHash } from 'node:crypto';
import type { FileTree } from './types.ts';

export function treeDigest(files: FileTree): string {
  const h = createHash('sha256');
  for (const p of Object.keys(files).sort()) {
    // Length prefixes make ("ab","c") and ("a","bc") hash differently.
    const content = Buffer.from(files[p] as string, 'utf8');
    h.update(`${Buffer.byteLength(p)}:${p}\0${content.length}:`);
    h.update(content);
  }
  return `sha256:${h.digest('hex')}`;
}
