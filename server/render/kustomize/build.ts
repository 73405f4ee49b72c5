// `kustomize build` in-process: resources, generators, components, then transformers, in kustomize's order.
import path from 'node:path/posix';
import type { KubeObject } from '../../cluster/types.ts';
import type { FileTree } from '../../sources/types.ts';
import { RenderError } from '../errors.ts';
import { MAX_OBJECTS } from '../limits.ts';
import { bytesAt, fileAt, treePath } from '../tree.ts';
import { parseManifests } from '../yaml.ts';
import { absorb, generate, mergeOptions, type ReadFile } from './generators.ts';
import { contentHash } from './hash.ts';
import { setImages } from './images.ts';
import { findKustomization, type Kustomization, loadKustomization } from './load.ts';
import { fixNameReferences } from './namereference.ts';
import { applyJson6902Patches, applyPatches, applyStrategicMergePatches } from './patches/index.ts';
import {
  curId,
  describe,
  dropEmptyAnnotations,
  effectiveNamespace,
  IdIndex,
  newRes,
  type Res,
  storePreviousId,
} from './resource.ts';
import { legacySort } from './sort.ts';
import {
  addAnnotations,
  addLabels,
  addNamePrefixSuffix,
  COMMON_LABELS,
  labelSpecs,
  setNamespace,
  setReplicas,
} from './transformers.ts';

export const BUILD_LIMITS = { maxDepth: 20, maxObjects: MAX_OBJECTS };

interface Ctx {
  files: FileTree;
  /** Folders being built, outermost first: a folder reached again is a cycle. */
  stack: string[];
  objects: number;
}

const REMOTE =
  /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|(?:github\.com|gitlab\.com|bitbucket\.org)\/)|\?ref=|\/\/.*\?/i;

function within(dir: string, file: string): boolean {
  return dir === '' || file.startsWith(`${dir}/`);
}

function isDir(files: FileTree, dir: string): boolean {
  const prefix = dir ? `${dir}/` : '';
  for (const f in files) if (f.startsWith(prefix)) return true;
  return false;
}

/** Reads a file a kustomization names; kustomize only loads files in or below the kustomization's folder. */
function reader(ctx: Ctx, k: Kustomization): ReadFile {
  const at = (relative: string, what: string): string => {
    const file = treePath(path.join(k.dir, relative), `${k.file}: ${what} "${relative}"`);
    if (!within(k.dir, file)) {
      throw new RenderError(`${k.file}: ${what} "${relative}" is outside the kustomization's folder`);
    }
    return file;
  };
  const missing = (relative: string, what: string) =>
    new RenderError(`${k.file}: ${what} "${relative}" not found`);
  return Object.assign(
    (relative: string, what: string) =>
      fileAt(ctx.files, at(relative, what)) ?? throwIt(missing(relative, what)),
    {
      bytes: (relative: string, what: string) =>
        bytesAt(ctx.files, at(relative, what)) ?? throwIt(missing(relative, what)),
    },
  );
}

function throwIt(err: Error): never {
  throw err;
}

/** The identity kustomize refuses to see twice: group, version, kind, name and effective namespace. */
function idKey(r: Res): string {
  const id = curId(r);
  return `${id.gvk.group}/${id.gvk.version}/${id.gvk.kind}/${effectiveNamespace(id)}/${id.name}`;
}

type Index = Map<string, Res>;

function indexOf(list: Res[]): Index {
  return new Map(list.map((r) => [idKey(r), r]));
}

function append(ctx: Ctx, list: Res[], index: Index, r: Res, from: string): void {
  const key = idKey(r);
  const existing = index.get(key);
  if (existing) {
    throw new RenderError(
      `${from}: ${describe(r.obj)} from ${r.file} is already defined (in ${existing.file})`,
    );
  }
  if (++ctx.objects > BUILD_LIMITS.maxObjects) {
    throw new RenderError(`${from}: more than ${BUILD_LIMITS.maxObjects} objects`);
  }
  list.push(r);
  index.set(key, r);
}

function subKustomization(ctx: Ctx, k: Kustomization, entry: string, field: string): Kustomization {
  const dir = treePath(path.join(k.dir, entry), `${k.file}: ${field} "${entry}"`);
  const file = findKustomization(ctx.files, dir);
  if (!file) {
    const what = isDir(ctx.files, dir) ? 'has no kustomization.yaml' : 'not found';
    throw new RenderError(`${k.file}: ${field} "${entry}" ${what}`);
  }
  // kustomize refuses a folder that is, or contains, one being built (`resources: [.]`, `..` from a base).
  const visited = ctx.stack.find((v) => v === dir || within(dir, v));
  if (visited !== undefined) {
    const what = visited === dir ? `${dir || '.'} again` : `${dir || '.'}, which contains ${visited}`;
    throw new RenderError(`${k.file}: ${field} "${entry}" includes ${what} (a cycle)`);
  }
  if (ctx.stack.length >= BUILD_LIMITS.maxDepth) {
    throw new RenderError(`${k.file}: kustomizations nested more than ${BUILD_LIMITS.maxDepth} deep`);
  }
  return loadKustomization(ctx.files, file);
}

function accumulateResources(ctx: Ctx, k: Kustomization, list: Res[]): void {
  const index = indexOf(list);
  for (const entry of k.resources) {
    if (REMOTE.test(entry)) {
      throw new RenderError(
        `${k.file}: remote resource "${entry}" is not supported (the node renders offline)`,
      );
    }
    const target = treePath(path.join(k.dir, entry), `${k.file}: resource "${entry}"`);
    const text = fileAt(ctx.files, target);
    if (text !== undefined && !isDir(ctx.files, target)) {
      if (!within(k.dir, target)) {
        throw new RenderError(
          `${k.file}: resource "${entry}" is a file outside the kustomization's folder (kustomize refuses it too)`,
        );
      }
      for (const obj of parseManifests(text, target)) {
        append(ctx, list, index, newRes(obj, target), k.file);
      }
      continue;
    }
    const sub = subKustomization(ctx, k, entry, 'resource');
    if (sub.kind === 'Component') {
      throw new RenderError(`${k.file}: resource "${entry}" is a Component; list it under components`);
    }
    for (const r of accumulate(ctx, sub, [])) append(ctx, list, index, r, k.file);
  }
}

/** One kustomization's objects; a Component works on (and returns) the list its parent has so far. */
function accumulate(ctx: Ctx, k: Kustomization, start: Res[]): Res[] {
  ctx.stack.push(k.dir);
  let list = start;
  const read = reader(ctx, k);
  accumulateResources(ctx, k, list);
  const ids = k.configMapGenerator.length + k.secretGenerator.length > 0 ? new IdIndex(list) : null;
  k.configMapGenerator.forEach((args, i) => {
    const where = `${k.file}: configMapGenerator[${i}] (${args.name})`;
    const merged = { ...args, options: mergeOptions(args.options, k.generatorOptions) };
    absorb(list, ids as IdIndex, generate('ConfigMap', merged, where, read), where);
  });
  k.secretGenerator.forEach((args, i) => {
    const where = `${k.file}: secretGenerator[${i}] (${args.name})`;
    const merged = { ...args, options: mergeOptions(args.options, k.generatorOptions) };
    absorb(list, ids as IdIndex, generate('Secret', merged, where, read), where);
  });
  for (const entry of k.components) {
    const sub = subKustomization(ctx, k, entry, 'component');
    if (sub.kind !== 'Component') {
      throw new RenderError(`${k.file}: component "${entry}" must have kind: Component`);
    }
    list = accumulate(ctx, sub, list);
  }
  // The built-in transformers, in the order kustomize runs them.
  if (k.patchesStrategicMerge.length > 0)
    list = applyStrategicMergePatches(list, k.patchesStrategicMerge, k.file, read);
  if (k.patches.length > 0) list = applyPatches(list, k.patches, k.file, read);
  if (k.namespace) setNamespace(list, k.namespace, k.file);
  if (k.namePrefix || k.nameSuffix) addNamePrefixSuffix(list, k.namePrefix ?? '', k.nameSuffix ?? '');
  for (const entry of k.labels) addLabels(list, entry.pairs, labelSpecs(entry));
  if (k.commonLabels) addLabels(list, k.commonLabels, COMMON_LABELS);
  if (k.commonAnnotations) addAnnotations(list, k.commonAnnotations);
  if (k.patchesJson6902.length > 0) applyJson6902Patches(list, k.patchesJson6902, k.file, read);
  for (const r of k.replicas) setReplicas(list, r.name, r.count, k.file);
  if (k.images.length > 0) setImages(list, k.images);
  ctx.stack.pop();
  return list;
}

const LOCAL_CONFIG = 'config.kubernetes.io/local-config';

/** Builds the kustomization in `dir` like `kustomize build`: the objects, in kustomize's output order. */
export function build(files: FileTree, dir: string): KubeObject[] {
  const file = findKustomization(files, dir);
  if (!file) throw new RenderError(`${dir || '.'}: no kustomization.yaml`);
  const ctx: Ctx = { files, stack: [], objects: 0 };
  const top = loadKustomization(files, file);
  let list = accumulate(ctx, top, []);
  // Generated names get their content hash last, once every transformer has shaped the content.
  for (const r of list) {
    if (!r.needsHash) continue;
    storePreviousId(r);
    r.obj.metadata.name = `${r.obj.metadata.name}-${contentHash(r.obj)}`;
  }
  fixNameReferences(list);
  list = list.filter((r) => {
    const v = r.obj.metadata.annotations?.[LOCAL_CONFIG];
    return v === undefined || v === 'false';
  });
  const sort = top.sortOptions;
  if (!sort || sort.order === 'legacy') list = legacySort(list, sort?.orderFirst, sort?.orderLast);
  return list.map((r) => {
    dropEmptyAnnotations(r.obj);
    return r.obj;
  });
}
