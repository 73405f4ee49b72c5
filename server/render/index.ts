// Renders a revision's file tree at a path into objects: Kustomize when a kustomization is there, else plain YAML.
import type { KubeObject } from '../cluster/types.ts';
import type { FileTree } from '../sources/types.ts';
import { RenderError } from './errors.ts';
import { findKustomization, renderKustomization } from './kustomize.ts';
import { filesUnder, treePath } from './tree.ts';
import { parseManifests } from './yaml.ts';

export { RenderError };

export function renderPlain(files: FileTree, dir: string): KubeObject[] {
  const names = filesUnder(files, dir);
  if (names.length === 0 && !(dir in files)) {
    throw new RenderError(`${dir || '.'}: no YAML manifests found`);
  }
  return names.flatMap((f) => parseManifests(files[f] as string, f));
}

export function render(files: FileTree, root: string): KubeObject[] {
  const dir = treePath(root, 'source path');
  const kustomization = findKustomization(files, dir);
  if (kustomization) return renderKustomization(files, dir);
  if (dir in files) return parseManifests(files[dir] as string, dir);
  return renderPlain(files, dir);
}
