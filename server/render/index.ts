// Renders a revision's file tree at a path into objects: Kustomize when a kustomization is there, else plain
// YAML; then `${VAR}` substitution on the final objects, like Flux's postBuild.
import type { KubeObject } from '../cluster/types.ts';
import { type FileTree, TREE_LIMITS } from '../sources/types.ts';
import { RenderError } from './errors.ts';
import { findKustomization, KUSTOMIZATION_FILES, renderKustomization } from './kustomize.ts';
import { checkObjectCount } from './limits.ts';
import { substitute } from './substitute.ts';
import { fileAt, filesUnder, READ_LIMITS, treePath, withReadBudget } from './tree.ts';
import { collectPlainTemplates, parseManifests } from './yaml.ts';

export { RenderError };

export interface RenderOptions {
  /** Substitution variables (see vars.ts for node facts and precedence). Absent or empty: no substitution. */
  vars?: Record<string, string>;
  /** Fail on a `${VAR}` whose variable is not set and has no default. Default false, as in Flux. */
  strictVars?: boolean;
}

export const RENDER_LIMITS = {
  maxFiles: TREE_LIMITS.maxFiles,
  maxFileBytes: READ_LIMITS.maxFileBytes,
  maxTotalBytes: READ_LIMITS.maxTotalBytes,
};

/** The file count bounds the whole tree; sizes count only for the files the render reads (tree.ts). */
function checkTree(files: FileTree): void {
  const count = Object.keys(files).length;
  if (count > RENDER_LIMITS.maxFiles) throw new RenderError(`more than ${RENDER_LIMITS.maxFiles} files`);
}

/**
 * Every YAML file below `dir`, in path order. A folder with its own kustomization is built as one (and not
 * read file by file), as Flux does for a path without a kustomization.
 */
export function renderPlain(files: FileTree, dir: string): KubeObject[] {
  const names = filesUnder(files, dir);
  if (names.length === 0 && fileAt(files, dir) === undefined) {
    throw new RenderError(`${dir || '.'}: no YAML manifests found`);
  }
  const prefix = dir ? `${dir}/` : '';
  const bases = new Set<string>();
  for (const f of Object.keys(files)) {
    const slash = f.lastIndexOf('/');
    const parent = slash < 0 ? '' : f.slice(0, slash);
    if (f.startsWith(prefix) && parent !== dir && KUSTOMIZATION_FILES.includes(f.slice(slash + 1))) {
      bases.add(parent);
    }
  }
  const topmost = [...bases].filter((b) => ![...bases].some((o) => o !== b && b.startsWith(`${o}/`)));
  const inBase = (f: string) => topmost.find((b) => f.startsWith(`${b}/`));
  const out: KubeObject[] = [];
  const built = new Set<string>();
  for (const f of names) {
    const base = inBase(f);
    if (base === undefined) out.push(...parseManifests(fileAt(files, f) as string, f));
    else if (!built.has(base)) {
      built.add(base);
      out.push(...renderKustomization(files, base));
    }
    // The cap holds for the folder as a whole, checked before the next file is parsed.
    checkObjectCount(out.length, dir);
  }
  return out;
}

export function render(files: FileTree, root: string, opts: RenderOptions = {}): KubeObject[] {
  checkTree(files);
  const dir = treePath(root, 'source path');
  const plain = new Set<string>();
  const objects = withReadBudget(() =>
    collectPlainTemplates(plain, () => {
      if (findKustomization(files, dir)) return renderKustomization(files, dir);
      const single = fileAt(files, dir);
      if (single !== undefined) return parseManifests(single, dir);
      return renderPlain(files, dir);
    }),
  );
  if (!opts.vars) return objects;
  return substitute(objects, opts.vars, opts.strictVars ?? false, plain);
}
