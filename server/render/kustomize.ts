// Kustomize subset: `resources` (files, folders, nested kustomizations); any other field is refused by name.
import path from 'node:path/posix';
import { parse } from 'yaml';
import type { KubeObject } from '../cluster/types.ts';
import type { FileTree } from '../sources/types.ts';
import { RenderError } from './errors.ts';
import { filesUnder, treePath } from './tree.ts';
import { parseManifests } from './yaml.ts';

const NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const SUPPORTED = new Set(['apiVersion', 'kind', 'resources']);
const MAX_DEPTH = 20;

export function findKustomization(files: FileTree, dir: string): string | null {
  for (const n of NAMES) {
    const f = dir ? `${dir}/${n}` : n;
    if (f in files) return f;
  }
  return null;
}

function renderDir(files: FileTree, dir: string, depth: number, seen: Set<string>): KubeObject[] {
  const file = findKustomization(files, dir);
  if (!file) return filesUnder(files, dir).flatMap((f) => parseManifests(files[f] as string, f));
  if (depth > MAX_DEPTH) throw new RenderError(`${file}: kustomizations nested more than ${MAX_DEPTH} deep`);
  if (seen.has(file)) throw new RenderError(`${file}: kustomizations include each other in a cycle`);
  seen.add(file);
  let k: Record<string, unknown>;
  try {
    k = (parse(files[file] as string, { maxAliasCount: 100 }) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new RenderError(`${file}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  for (const key of Object.keys(k)) {
    if (!SUPPORTED.has(key)) throw new RenderError(`${file}: field "${key}" is not supported by Outpost`);
  }
  const resources = (k.resources ?? []) as unknown;
  if (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string')) {
    throw new RenderError(`${file}: "resources" must be a list of paths`);
  }
  const out: KubeObject[] = [];
  for (const r of resources as string[]) {
    if (/^[a-z]+:\/\//i.test(r) || r.startsWith('github.com/')) {
      throw new RenderError(`${file}: remote resource "${r}" is not supported (the node renders offline)`);
    }
    const target = treePath(path.join(dir, r), file);
    if (target in files) out.push(...parseManifests(files[target] as string, target));
    else if (filesUnder(files, target).length > 0) out.push(...renderDir(files, target, depth + 1, seen));
    else throw new RenderError(`${file}: resource "${r}" not found`);
  }
  seen.delete(file);
  return out;
}

export function renderKustomization(files: FileTree, dir: string): KubeObject[] {
  return renderDir(files, dir, 0, new Set());
}
