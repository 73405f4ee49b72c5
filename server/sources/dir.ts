// The `dir` source: a local folder (demo, development, a mounted volume), read whole with limits.
import { access, lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { byText } from '../order.ts';
import {
  answers,
  FetchError,
  type Fetched,
  type FileTree,
  isReservedPath,
  reservedNameMessage,
  type Source,
  TREE_LIMITS,
} from './types.ts';

const SKIP = new Set(['.git', 'node_modules']);

export function dirSource(root: string): Source {
  const abs = path.resolve(root);
  return {
    kind: 'dir',
    url: abs,
    async fetch(): Promise<Fetched> {
      const files: FileTree = {};
      let total = 0;
      let count = 0;
      // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: a bounded tree walk: each refusal (symlink, depth, size, count) is its own branch, kept together so the limits read as one.
      async function walk(rel: string): Promise<void> {
        const dir = path.join(abs, rel);
        let entries: import('node:fs').Dirent[];
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch (err) {
          throw new FetchError(`cannot read folder ${dir}: ${(err as Error).message}`, { cause: err });
        }
        entries.sort((a, b) => byText(a.name, b.name));
        for (const e of entries) {
          if (SKIP.has(e.name)) continue;
          const relPath = rel ? `${rel}/${e.name}` : e.name;
          if (isReservedPath(relPath)) throw new FetchError(`${abs}: ${reservedNameMessage(relPath)}`);
          if (e.isSymbolicLink())
            throw new FetchError(`${relPath}: symbolic links are not allowed in a source`);
          if (e.isDirectory()) {
            await walk(relPath);
            continue;
          }
          if (!e.isFile()) throw new FetchError(`${relPath}: only regular files are allowed in a source`);
          if (++count > TREE_LIMITS.maxFiles) {
            throw new FetchError(`${abs}: more than ${TREE_LIMITS.maxFiles} files`);
          }
          const st = await lstat(path.join(abs, relPath));
          if (st.size > TREE_LIMITS.maxFileBytes) {
            throw new FetchError(
              `${relPath}: ${st.size} bytes is over the ${TREE_LIMITS.maxFileBytes}-byte limit`,
            );
          }
          total += st.size;
          if (total > TREE_LIMITS.maxTotalBytes) {
            throw new FetchError(`${abs}: more than ${TREE_LIMITS.maxTotalBytes} bytes in total`);
          }
          files[relPath] = await readFile(path.join(abs, relPath), 'utf8');
        }
      }
      await walk('');
      return { files };
    },
    probe: () => answers(() => access(abs).then(() => true)),
  };
}
