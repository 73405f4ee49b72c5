// Symbolic links inside a fetched tree: followed like kustomize follows them on disk, when they stay inside.
import path from 'node:path/posix';
import { FetchError, type FileTree, isReservedPath, reservedNameMessage } from './types.ts';

/** Links that point at links are followed this many times, like a kernel's ELOOP. */
const MAX_HOPS = 40;

/** How a source reports a refused link (tar bundles throw their own TarError). */
export type LinkError = (message: string) => FetchError;
const fetchError: LinkError = (message) => new FetchError(message);

function outside(link: string, target: string, label: string, fail: LinkError): FetchError {
  return fail(
    `${label}: "${link}" is a symbolic link to "${target}", outside the revision; links may only point inside it`,
  );
}

/**
 * Where a link at `link` pointing at `target` lands, as a tree path; refuses a target outside the tree (an
 * absolute path, or `..` past the root) by the link's name.
 */
export function linkTarget(
  link: string,
  target: string,
  label: string,
  fail: LinkError = fetchError,
): string {
  if (target === '' || path.isAbsolute(target)) throw outside(link, target, label, fail);
  const joined = path.normalize(path.join(path.dirname(link), target));
  if (joined === '..' || joined.startsWith('../')) throw outside(link, target, label, fail);
  return joined === '.' ? '' : joined.replace(/\/$/, '');
}

/**
 * Adds to `files` what each link stands for: the file it names, or every file under the folder it names (at
 * the link's path). A link whose target is not in the tree stands for nothing, as a dangling link on disk
 * (a build that names it fails there). `links` maps link path → target as stored in the link.
 */
export function resolveLinks(
  files: FileTree,
  links: ReadonlyMap<string, string>,
  label: string,
  maxFiles: number,
  fail: LinkError = fetchError,
): void {
  const pending = new Map<string, string>();
  for (const [link, target] of links) {
    if (isReservedPath(link)) throw fail(`${label}: ${reservedNameMessage(link)}`);
    pending.set(link, linkTarget(link, target, label, fail));
  }
  let count = Object.keys(files).length;
  for (let hop = 0; hop < MAX_HOPS && pending.size > 0; hop++) {
    let progressed = false;
    for (const [link, to] of pending) {
      // A link to another link waits until that one is resolved.
      if ([...pending.keys()].some((l) => l !== link && (to === l || to.startsWith(`${l}/`)))) continue;
      pending.delete(link);
      progressed = true;
      // The target's own property is copied, so a tree that reads files on demand stays lazy.
      const add = (p: string, from: string) => {
        if (isReservedPath(p)) throw fail(`${label}: ${reservedNameMessage(p)}`);
        if (Object.hasOwn(files, p)) return;
        if (++count > maxFiles) throw fail(`${label}: more than ${maxFiles} files (at link "${link}")`);
        Object.defineProperty(files, p, Object.getOwnPropertyDescriptor(files, from) as PropertyDescriptor);
      };
      if (Object.hasOwn(files, to)) add(link, to);
      else {
        const prefix = to === '' ? '' : `${to}/`;
        for (const p of Object.keys(files))
          if (p.startsWith(prefix)) add(`${link}/${p.slice(prefix.length)}`, p);
      }
    }
    if (!progressed) break;
  }
  const loop = pending.keys().next();
  if (!loop.done) throw fail(`${label}: "${loop.value}" is a symbolic link in a loop`);
}
