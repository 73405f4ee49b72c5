// `patches`, `patchesStrategicMerge` and `patchesJson6902`: find the targets, apply, keep names stable.
import type { KubeObject } from '../../../cluster/types.ts';
import { RenderError } from '../../errors.ts';
import { parseDocuments, YAML_11_OPTIONS } from '../../yaml.ts';
import {
  allIds,
  describe,
  gvkOf,
  idEquals,
  isClusterScoped,
  isRecord,
  nameOf,
  namespaceOf,
  type Res,
  type ResId,
  storePreviousId,
  str,
} from '../resource.ts';
import { type Selector, select } from '../select.ts';
import { applyJsonPatch, type Operation, parseOperations } from './json6902.ts';
import { strategicMerge } from './strategic.ts';

export interface PatchEntry {
  path?: string;
  patch?: string;
  target?: Selector;
  options?: { allowNameChange?: boolean; allowKindChange?: boolean };
}

/** Reads a file relative to the kustomization (never outside its folder). */
export type ReadFile = (relative: string, what: string) => string;

type Parsed = { kind: 'strategic'; docs: Record<string, unknown>[] } | { kind: 'json'; ops: Operation[] };

function parsePatch(text: string, where: string): Parsed {
  const docs = parseDocuments(text.trim(), where);
  if (docs.length === 0) throw new RenderError(`${where}: the patch is empty`);
  if (Array.isArray(docs[0])) {
    if (docs.length > 1) throw new RenderError(`${where}: a JSON patch must be a single document`);
    // kustomize turns a YAML JSON patch into JSON with sigs.k8s.io/yaml (YAML 1.1: `yes` is true).
    return {
      kind: 'json',
      ops: parseOperations(parseDocuments(text.trim(), where, YAML_11_OPTIONS)[0], where),
    };
  }
  const out: Record<string, unknown>[] = [];
  for (const d of docs) {
    if (!isRecord(d)) throw new RenderError(`${where}: a strategic merge patch must be a mapping`);
    if (d.kind === 'List' && Array.isArray(d.items)) out.push(...(d.items as Record<string, unknown>[]));
    else out.push(d);
  }
  // kustomize reads each patch as an object, which needs a kind and a name (even when a target selects).
  for (const d of out) {
    if (typeof d.kind !== 'string' || !isRecord(d.metadata) || typeof d.metadata.name !== 'string') {
      throw new RenderError(`${where}: a strategic merge patch needs kind and metadata.name`);
    }
  }
  return { kind: 'strategic', docs: out };
}

function patchId(p: Record<string, unknown>): ResId {
  const obj = p as unknown as KubeObject;
  return {
    gvk: gvkOf(obj),
    name: isRecord(p.metadata) ? nameOf(obj) : '',
    namespace: isRecord(p.metadata) ? namespaceOf(obj) : '',
    clusterScoped: isClusterScoped(str(p.apiVersion), str(p.kind)),
  };
}

/** The one resource a patch without a target names (by its current or any earlier identity). */
function targetOf(list: Res[], patch: Record<string, unknown>, where: string): Res {
  const id = patchId(patch);
  const found = list.filter((r) => allIds(r).some((other) => idEquals(id, other)));
  const what = `${str(patch.apiVersion)} ${str(patch.kind)} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
  if (found.length === 0) throw new RenderError(`${where}: no resource matches the patch for ${what}`);
  if (found.length > 1)
    throw new RenderError(`${where}: more than one resource matches the patch for ${what}`);
  return found[0] as Res;
}

/** Merges one patch into one resource; false when the patch deleted the resource. */
function mergeInto(
  r: Res,
  patch: Record<string, unknown>,
  opts: PatchEntry['options'],
  where: string,
): boolean {
  const { obj } = r;
  const name = nameOf(obj);
  const namespace = namespaceOf(obj);
  const kind = str(obj.kind);
  if (opts?.allowNameChange || opts?.allowKindChange) storePreviousId(r);
  let merged: Record<string, unknown> | null;
  try {
    merged = strategicMerge(obj as unknown as Record<string, unknown>, structuredClone(patch));
  } catch (err) {
    throw new RenderError(`${where}: cannot patch ${describe(obj)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (merged === null || Object.keys(merged).length === 0) return false;
  const out = merged as unknown as KubeObject;
  if (!isRecord(out.metadata)) out.metadata = { name };
  if (!opts?.allowKindChange) out.kind = kind;
  if (!opts?.allowNameChange) out.metadata.name = name;
  if (namespace) out.metadata.namespace = namespace;
  else delete out.metadata.namespace;
  r.obj = out;
  return true;
}

function applyStrategic(
  list: Res[],
  docs: Record<string, unknown>[],
  entry: PatchEntry,
  where: string,
): Res[] {
  const removed = new Set<Res>();
  if (entry.target) {
    if (docs.length > 1) {
      throw new RenderError(`${where}: a patch with a target must hold a single strategic merge patch`);
    }
    const patch = docs[0] as Record<string, unknown>;
    for (const r of select(list, entry.target, where)) {
      // Like kustomize, the patch takes the target's apiVersion (its kind stays the patch's own).
      const copy = { ...patch, apiVersion: r.obj.apiVersion, kind: patch.kind ?? '' };
      if (!mergeInto(r, copy, entry.options, where)) removed.add(r);
    }
  } else {
    for (const patch of docs) {
      const r = targetOf(list, patch, where);
      if (!mergeInto(r, patch, entry.options, where)) removed.add(r);
    }
  }
  return removed.size === 0 ? list : list.filter((r) => !removed.has(r));
}

function applyJson(
  list: Res[],
  ops: Operation[],
  target: Selector | undefined,
  where: string,
  track: boolean,
): void {
  if (!target) throw new RenderError(`${where}: a JSON patch needs a target`);
  for (const r of select(list, target, where)) {
    if (track) storePreviousId(r);
    const out = applyJsonPatch(structuredClone(r.obj), ops, `${where} on ${describe(r.obj)}`);
    if (!isRecord(out)) throw new RenderError(`${where}: patching ${describe(r.obj)} left no object`);
    r.obj = out as unknown as KubeObject;
    if (!isRecord(r.obj.metadata))
      throw new RenderError(`${where}: patching left ${describe(r.obj)} without metadata`);
  }
}

function textOf(entry: PatchEntry, where: string, read: ReadFile): string {
  if (entry.patch !== undefined && entry.patch.trim() !== '' && entry.path !== undefined) {
    throw new RenderError(`${where}: a patch has both "patch" and "path"`);
  }
  if (entry.patch !== undefined && entry.patch.trim() !== '') return entry.patch;
  if (entry.path !== undefined) return read(entry.path, 'patch');
  throw new RenderError(`${where}: a patch needs "patch" or "path"`);
}

/** The `patches:` field: strategic merge or JSON 6902, told apart by their content. */
export function applyPatches(list: Res[], entries: PatchEntry[], file: string, read: ReadFile): Res[] {
  let out = list;
  entries.forEach((entry, i) => {
    const where = `${file}: patches[${i}]${entry.path ? ` (${entry.path})` : ''}`;
    const parsed = parsePatch(textOf(entry, where, read), where);
    if (parsed.kind === 'json') applyJson(out, parsed.ops, entry.target, where, true);
    else out = applyStrategic(out, parsed.docs, entry, where);
  });
  return out;
}

/** The legacy `patchesStrategicMerge:` field: each entry a file or an inline patch. */
export function applyStrategicMergePatches(
  list: Res[],
  entries: string[],
  file: string,
  read: ReadFile,
): Res[] {
  let out = list;
  entries.forEach((entry, i) => {
    const inline = entry.includes('\n') || /^\s*[{]/.test(entry);
    const where = `${file}: patchesStrategicMerge[${i}]${inline ? '' : ` (${entry})`}`;
    const parsed = parsePatch(inline ? entry : read(entry, 'patch'), where);
    if (parsed.kind !== 'strategic') throw new RenderError(`${where}: expected a strategic merge patch`);
    for (const patch of parsed.docs) out = applyStrategic(out, [patch], {}, where);
  });
  return out;
}

/** The legacy `patchesJson6902:` field: a target and a JSON patch file or inline text. */
export function applyJson6902Patches(list: Res[], entries: PatchEntry[], file: string, read: ReadFile): void {
  entries.forEach((entry, i) => {
    const where = `${file}: patchesJson6902[${i}]${entry.path ? ` (${entry.path})` : ''}`;
    const parsed = parsePatch(textOf(entry, where, read), where);
    if (parsed.kind !== 'json') throw new RenderError(`${where}: expected a list of JSON patch operations`);
    applyJson(list, parsed.ops, entry.target, where, false);
  });
}
