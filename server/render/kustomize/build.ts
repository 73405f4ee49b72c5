// `kustomize build` in-process: resources, generators, components, then transformers, in kustomize's order.
import path from 'node:path/posix';
import type { KubeObject } from '../../cluster/types.ts';
import type { FileTree } from '../../sources/types.ts';
import { RenderError } from '../errors.ts';
import { MAX_OBJECTS } from '../limits.ts';
import { fileAt, treePath } from '../tree.ts';
import { parseManifests } from '../yaml.ts';
import { DEFAULT_CONFIG, EMPTY_CONFIG, mergeConfig, readConfig, type TransformerConfig } from './config.ts';
import { absorb, generate, mergeOptions } from './generators.ts';
import { contentHash } from './hash.ts';
import { setImages } from './images.ts';
import { findKustomization, type Kustomization, loadKustomization } from './load.ts';
import { fixNameReferences } from './namereference.ts';
import { applyJson6902Patches, applyPatches, applyStrategicMergePatches } from './patches/index.ts';
import { parseSchema, setCustomSchema } from './patches/openapi.ts';
import { inlineConfigs, type PluginConfig, runGenerators, runTransformers } from './plugins.ts';
import { declareVars, mergeVarSets, resolveVars, type Var } from './refvars.ts';
import {
  applyReplacements,
  type Replacement,
  type ReplacementEntry,
  readReplacementFile,
} from './replacements.ts';
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
import { addLabels, addNamePrefixSuffix, labelSpecs, setNamespace, setReplicas } from './transformers.ts';

export const BUILD_LIMITS = { maxDepth: 20, maxObjects: MAX_OBJECTS };

interface Ctx {
  files: FileTree;
  /** Folders being built, outermost first: a folder reached again is a cycle. */
  stack: string[];
  objects: number;
  /** The transformer configuration of the kustomization being built so far (see accumulate). */
  config: TransformerConfig;
  /** A kustomization named an OpenAPI schema (path or version): the first one holds for the whole build. */
  schemaSet: boolean;
  /** The vars declared so far in the same scope (a kustomization and its bases), by name. */
  vars: Map<string, Var>;
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
function reader(ctx: Ctx, k: Kustomization) {
  return (relative: string, what: string): string => {
    const file = treePath(path.join(k.dir, relative), `${k.file}: ${what} "${relative}"`);
    if (!within(k.dir, file)) {
      throw new RenderError(`${k.file}: ${what} "${relative}" is outside the kustomization's folder`);
    }
    const text = fileAt(ctx.files, file);
    if (text === undefined) throw new RenderError(`${k.file}: ${what} "${relative}" not found`);
    return text;
  };
}

/** kustomize's default field specs merged with the kustomization's `configurations:` files, in order. */
function ownConfig(k: Kustomization, read: (relative: string, what: string) => string): TransformerConfig {
  let cfg = DEFAULT_CONFIG;
  for (const file of k.configurations) {
    const where = path.join(k.dir, file);
    cfg = mergeConfig(cfg, readConfig(read(file, 'configurations file'), where), where);
  }
  return cfg;
}

/**
 * The plugin documents a `transformers:`/`generators:` list names: inline YAML, a file, or a folder with a
 * kustomization (built on its own: its configuration does not reach ours, as in kustomize).
 */
function pluginConfigs(ctx: Ctx, k: Kustomization, entries: string[], field: string): PluginConfig[] {
  return entries.flatMap((entry) => {
    const inline = inlineConfigs(entry, k.file);
    if (inline) return inline;
    const target = treePath(path.join(k.dir, entry), `${k.file}: ${field} "${entry}"`);
    const text = fileAt(ctx.files, target);
    if (text !== undefined && !isDir(ctx.files, target)) {
      const docs = reader(ctx, k)(entry, `${field} file`);
      return parseManifests(docs, target).map((obj) => ({
        obj: obj as Record<string, unknown>,
        file: target,
      }));
    }
    const sub = subKustomization(ctx, k, entry, field.slice(0, -1));
    const saved = { config: ctx.config, vars: ctx.vars };
    ctx.config = EMPTY_CONFIG;
    ctx.vars = new Map();
    try {
      return accumulate(ctx, sub, []).map((r) => ({ obj: r.obj as Record<string, unknown>, file: r.file }));
    } finally {
      ctx.config = saved.config;
      ctx.vars = saved.vars;
    }
  });
}

/** Inline replacements as they are, `path:` entries read from their files, in the order listed. */
function resolveReplacements(
  entries: ReplacementEntry[],
  read: (relative: string, what: string) => string,
  dir: string,
): Replacement[] {
  return entries.flatMap((e) => {
    if (!('path' in e)) return [e];
    return readReplacementFile(read(e.path, 'replacement file'), path.join(dir, e.path));
  });
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
  if (!ctx.schemaSet && (k.openapi?.path || k.openapi?.version)) {
    ctx.schemaSet = true;
    const file = k.openapi.path;
    if (file) setCustomSchema(parseSchema(read(file, 'openapi schema'), path.join(k.dir, file)));
  }
  // A Component adds to the configuration of the kustomization using it; anything else starts afresh.
  const outer = k.kind === 'Component' ? null : { config: ctx.config, vars: ctx.vars };
  if (outer) {
    ctx.config = EMPTY_CONFIG;
    ctx.vars = new Map();
  }
  accumulateResources(ctx, k, list);
  ctx.config = mergeConfig(ctx.config, ownConfig(k, read), k.file);
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
  if (k.generators.length > 0) runGenerators(list, pluginConfigs(ctx, k, k.generators, 'generators'), read);
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
  const cfg = ctx.config;
  if (k.namespace) setNamespace(list, k.namespace, k.file, cfg.namespace);
  if (k.namePrefix || k.nameSuffix) addNamePrefixSuffix(list, k.namePrefix ?? '', k.nameSuffix ?? '', cfg);
  for (const entry of k.labels) addLabels(list, entry.pairs, labelSpecs(entry, cfg));
  if (k.commonLabels) addLabels(list, k.commonLabels, cfg.commonLabels);
  if (k.commonAnnotations) addLabels(list, k.commonAnnotations, cfg.commonAnnotations);
  if (k.patchesJson6902.length > 0) applyJson6902Patches(list, k.patchesJson6902, k.file, read);
  for (const r of k.replicas) setReplicas(list, r.name, r.count, k.file, cfg.replicas);
  if (k.images.length > 0) setImages(list, k.images, cfg.images);
  if (k.replacements.length > 0)
    applyReplacements(list, resolveReplacements(k.replacements, read, k.dir), k.file);
  if (k.transformers.length > 0) {
    list = runTransformers(list, pluginConfigs(ctx, k, k.transformers, 'transformers'), read);
  }
  if (k.vars.length > 0) declareVars(list, k.vars, ctx.vars);
  ctx.stack.pop();
  // A kustomization hands its configuration and vars (with its bases') up to the one that includes it.
  if (outer) {
    ctx.config = mergeConfig(outer.config, ctx.config, k.file);
    mergeVarSets(outer.vars, ctx.vars.values());
    ctx.vars = outer.vars;
  }
  return list;
}

const LOCAL_CONFIG = 'config.kubernetes.io/local-config';

/** Builds the kustomization in `dir` like `kustomize build`: the objects, in kustomize's output order. */
export function build(files: FileTree, dir: string): KubeObject[] {
  const file = findKustomization(files, dir);
  if (!file) throw new RenderError(`${dir || '.'}: no kustomization.yaml`);
  const ctx: Ctx = { files, stack: [], objects: 0, config: EMPTY_CONFIG, vars: new Map(), schemaSet: false };
  const top = loadKustomization(files, file);
  setCustomSchema(null);
  let list: Res[];
  try {
    list = accumulate(ctx, top, []);
  } finally {
    setCustomSchema(null);
  }
  // Generated names get their content hash last, once every transformer has shaped the content.
  for (const r of list) {
    if (!r.needsHash) continue;
    storePreviousId(r);
    r.obj.metadata.name = `${r.obj.metadata.name}-${contentHash(r.obj)}`;
  }
  fixNameReferences(list, ctx.config.nameReference);
  resolveVars(list, ctx.vars, ctx.config.varReference);
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
