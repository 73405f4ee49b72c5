// Content address of a file tree: sha256 over sorted (path, content) pairs, independent of fetch order.
import { createHash } from 'node:crypto';
import type { FileTree } from './types.ts';

export function treeDigest(files: FileTree): string {
  const h = createHash('sha256');
  for (const p of Object.keys(files).sort()) {
    // Length prefixes make ("ab","c") and ("a","bc") hash differently.
    const c = files[p] as FileTree[string];
    // Text hashes as its UTF-8 bytes, so the same content has one digest whether read as text or bytes.
    const content = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
    h.update(`${Buffer.byteLength(p)}:${p}\0${content.byteLength}:`);
    h.update(content);
  }
  return `sha256:${h.digest('hex')}`;
}
