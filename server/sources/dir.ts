// The `dir` source: a local folder (demo, development, a mounted volume), read as bytes with limits.
import { readFileSync } from 'node:fs';
import { access, lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { byText } from '../order.ts';
import { mapPool } from '../pool.ts';
import { resolveLinks } from './links.ts';
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
/** Files asked of the file system at once: libuv's thread pool has 4 threads; more only queues. */
const READ_AHEAD = 8;

/** The target of the link at `relPath`, relative to its folder `dir`; a link that leaves `abs` is refused. */
async function linkTarget(abs: string, dir: string, relPath: string): Promise<string> {
  const target = path.resolve(dir, await readlink(path.join(abs, relPath)));
  const inside = path.relative(abs, target);
  if (inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
    throw new FetchError(
      `${relPath}: a symbolic link to "${target}", outside ${abs}; links may only point inside the source`,
    );
  }
  return path.relative(dir, target).split(path.sep).join('/') || '.';
}

/**
 * Every file and link under `abs` (not their content): each regular file's tree path goes to `onFile`, in path
 * order; the symbolic links come back (tree path → target, relative to the link's folder). A link that leaves
 * the folder is refused by name.
 */
async function list(
  abs: string,
  onFile: (relPath: string) => void | Promise<void>,
): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  let count = 0;
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
      if (e.isSymbolicLink()) {
        links.set(relPath, await linkTarget(abs, dir, relPath));
        continue;
      }
      if (e.isDirectory()) {
        await walk(relPath);
        continue;
      }
      if (!e.isFile()) throw new FetchError(`${relPath}: only regular files are allowed in a source`);
      if (++count > TREE_LIMITS.maxFiles) {
        throw new FetchError(`${abs}: more than ${TREE_LIMITS.maxFiles} files`);
      }
      await onFile(relPath);
    }
  }
  await walk('');
  return links;
}

export function dirSource(root: string): Source {
  const abs = path.resolve(root);
  return {
    kind: 'dir',
    url: abs,
    async fetch(): Promise<Fetched> {
      const paths: string[] = [];
      const links = await list(abs, (relPath) => {
        paths.push(relPath);
      });
      // A few at a time, not one by one: each is a round trip through libuv's thread pool.
      const sizes = await mapPool(paths, READ_AHEAD, async (p) => (await lstat(path.join(abs, p))).size);
      if (sizes.reduce((a, b) => a + b, 0) > TREE_LIMITS.maxTotalBytes) {
        throw new FetchError(`${abs}: more than ${TREE_LIMITS.maxTotalBytes} bytes in total`);
      }
      // Bytes, not text: only the files a build reads are ever decoded (render/tree.ts).
      const bytes = await mapPool(paths, READ_AHEAD, (p) => readFile(path.join(abs, p)));
      const files: FileTree = {};
      paths.forEach((p, i) => {
        files[p] = bytes[i] as Buffer;
      });
      resolveLinks(files, links, abs, TREE_LIMITS.maxFiles);
      return { files };
    },
    probe: () => answers(() => access(abs).then(() => true)),
  };
}

/**
 * The folder as a tree whose files are read from disk when first asked for, for `outpost render`: a work tree
 * holds much (databases, builds, images) that the rendered path never names, and none of it is read.
 */
export async function lazyDirTree(root: string): Promise<FileTree> {
  const abs = path.resolve(root);
  const files: FileTree = {};
  // No size asked of each file (an lstat apiece, half the listing's time): none is read unless the render names it.
  const links = await list(abs, (relPath) => {
    let content: Buffer | undefined;
    Object.defineProperty(files, relPath, {
      enumerable: true,
      configurable: true,
      get() {
        content ??= readFileSync(path.join(abs, relPath));
        return content;
      },
    });
  });
  resolveLinks(files, links, abs, TREE_LIMITS.maxFiles);
  return files;
}
