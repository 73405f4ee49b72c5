// configMapGenerator and secretGenerator: literals, files and env files into objects, merged by `behavior`.
import path from 'node:path/posix';
import type { KubeObject } from '../../cluster/types.ts';
import { RenderError } from '../errors.ts';
import { setOwn } from '../own.ts';
import { utf8Text } from '../tree.ts';
import { notePlainTemplate } from '../yaml.ts';
import {
  type Behavior,
  curId,
  describe,
  ensureAnnotations,
  type IdIndex,
  isRecord,
  newRes,
  type Res,
} from './resource.ts';

export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

export interface GeneratorArgs {
  name: string;
  namespace?: string;
  behavior?: Behavior;
  literals?: string[];
  files?: string[];
  envs?: string[];
  options?: GeneratorOptions;
  /** Secrets only. */
  type?: string;
}

/** The global generatorOptions fill in what an entry's own options leave unset. */
export function mergeOptions(
  local?: GeneratorOptions,
  global?: GeneratorOptions,
): GeneratorOptions | undefined {
  if (!global) return local;
  const out: GeneratorOptions = { ...(local ?? {}) };
  if (global.labels) out.labels = { ...global.labels, ...(local?.labels ?? {}) };
  if (global.annotations) out.annotations = { ...global.annotations, ...(local?.annotations ?? {}) };
  if (global.disableNameSuffixHash) out.disableNameSuffixHash = true;
  if (global.immutable) out.immutable = true;
  return out;
}

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Reads a file named by a generator, relative to the kustomization's folder and never outside it; `bytes`,
 * when there, reads it as bytes (a file that is not UTF-8 becomes binaryData).
 */
export type ReadFile = ((relative: string, what: string) => string) & {
  bytes?: (relative: string, what: string) => Uint8Array;
};

function stripQuotes(s: string): string {
  if (s.length < 2 || s[0] !== s[s.length - 1]) return s;
  return s[0] === '"' || s[0] === "'" ? s.slice(1, -1) : s;
}

function envPairs(text: string, file: string): [string, string][] {
  const out: [string, string][] = [];
  text.split('\n').forEach((raw, i) => {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (i === 0 && line.startsWith('\uFEFF')) line = line.slice(1);
    line = line.trimStart();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (!ENV_NAME.test(key))
      throw new RenderError(`${file}: line ${i + 1}: "${key}" is not a valid variable name`);
    out.push([key, eq < 0 ? '' : line.slice(eq + 1)]);
  });
  return out;
}

/**
 * key → value, in kustomize's source order (env files, literals, files); a repeated key is an error. A file
 * that is not UTF-8 is its bytes.
 */
function dataOf(args: GeneratorArgs, where: string, read: ReadFile): Record<string, string | Uint8Array> {
  const pairs: [string, string | Uint8Array][] = [];
  for (const env of args.envs ?? []) pairs.push(...envPairs(read(env, 'env file'), env));
  for (const lit of args.literals ?? []) {
    const eq = lit.indexOf('=');
    if (eq <= 0) throw new RenderError(`${where}: literal "${lit}" is not key=value`);
    pairs.push([lit.slice(0, eq), stripQuotes(lit.slice(eq + 1))]);
  }
  // kustomize writes one-line values unquoted; Flux then reads `${VAR}` results in them back as YAML.
  for (const [k, v] of pairs) if (typeof v === 'string' && !v.includes('\n')) notePlainTemplate(k, v);
  for (const src of args.files ?? []) {
    const parts = src.split('=');
    if (parts.length > 2 || (parts.length === 2 && (parts[0] === '' || parts[1] === ''))) {
      throw new RenderError(`${where}: file source "${src}" must be "path" or "key=path"`);
    }
    const [key, file] = parts.length === 2 ? (parts as [string, string]) : [path.basename(src), src];
    const bytes = read.bytes?.(file, 'file');
    pairs.push([key, bytes ? (utf8Text(bytes) ?? bytes) : read(file, 'file')]);
  }
  const data: Record<string, string | Uint8Array> = {};
  for (const [k, v] of pairs) {
    if (!CONFIG_KEY.test(k)) throw new RenderError(`${where}: "${k}" is not a valid ConfigMap/Secret key`);
    if (Object.hasOwn(data, k)) throw new RenderError(`${where}: ${args.name} repeats the key "${k}"`);
    setOwn(data, k, v, where);
  }
  return data;
}

/** Base64 broken into 70-character lines, as kustomize writes Secret data and binaryData (the hash depends on it). */
function base64Lines(s: string | Uint8Array): string {
  const b = (typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s)).toString('base64');
  if (b.length < 70) return b;
  let out = '';
  for (let i = 0; i < b.length; i += 70) out += `${b.slice(i, i + 70)}\n`;
  return out;
}

function sortedMap<V>(m: Record<string, V>, f: (v: V) => string = String): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) setOwn(out, k, f(m[k] as V));
  return out;
}

export function generate(
  kind: 'ConfigMap' | 'Secret',
  args: GeneratorArgs,
  where: string,
  read: ReadFile,
): Res {
  const metadata: KubeObject['metadata'] = { name: args.name };
  if (args.namespace) metadata.namespace = args.namespace;
  const obj: KubeObject = { apiVersion: 'v1', kind, metadata };
  const data = dataOf(args, where, read);
  if (kind === 'Secret') {
    obj.type = args.type || 'Opaque';
    obj.data = sortedMap(data, base64Lines);
  } else {
    const text = Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v === 'string'));
    const binary = Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v !== 'string'));
    if (Object.keys(text).length > 0) obj.data = sortedMap(text);
    if (Object.keys(binary).length > 0) obj.binaryData = sortedMap(binary, base64Lines);
  }
  const opts = args.options;
  if (opts?.labels && Object.keys(opts.labels).length > 0) metadata.labels = sortedMap(opts.labels);
  if (opts?.annotations && Object.keys(opts.annotations).length > 0) {
    metadata.annotations = sortedMap(opts.annotations);
  }
  if (opts?.immutable) obj.immutable = true;
  const r = newRes(obj, where);
  ensureAnnotations(obj);
  r.needsHash = !opts?.disableNameSuffixHash;
  r.behavior = args.behavior ?? 'create';
  r.generated = true;
  return r;
}

/** Adds a generated object: a new one (create), or merged into / replacing the one it names. */
export function absorb(list: Res[], index: IdIndex, res: Res, where: string): void {
  const id = curId(res);
  const matches = [...new Set(index.get(id))];
  if (matches.length > 1)
    throw new RenderError(`${where}: ${describe(res.obj)} matches more than one object`);
  const old = matches[0];
  if (!old) {
    if (res.behavior !== 'create') {
      throw new RenderError(
        `${where}: ${describe(res.obj)} has behavior ${res.behavior} but nothing to merge into`,
      );
    }
    list.push(res);
    index.add(res);
    return;
  }
  if (res.behavior === 'create') {
    throw new RenderError(
      `${where}: ${describe(res.obj)} already exists (from ${old.file}); use behavior merge or replace`,
    );
  }
  const meta = res.obj.metadata;
  meta.labels = { ...(old.obj.metadata.labels ?? {}), ...(meta.labels ?? {}) };
  meta.annotations = { ...(old.obj.metadata.annotations ?? {}), ...(meta.annotations ?? {}) };
  if (Object.keys(meta.labels).length === 0) delete meta.labels;
  // The map survives when the old object carried kustomize's bookkeeping (which the result inherits).
  const bookkeeping = old.generated || old.prev.length > 0 || old.prefixes.length + old.suffixes.length > 0;
  if (Object.keys(meta.annotations).length === 0 && !bookkeeping) delete meta.annotations;
  meta.name = old.obj.metadata.name;
  if (old.obj.metadata.namespace) meta.namespace = old.obj.metadata.namespace;
  else delete meta.namespace;
  if (res.behavior === 'merge') {
    for (const field of ['data', 'binaryData'] as const) {
      const merged = {
        ...(isRecord(old.obj[field]) ? old.obj[field] : {}),
        ...(isRecord(res.obj[field]) ? res.obj[field] : {}),
      };
      if (Object.keys(merged).length > 0) res.obj[field] = merged;
    }
  }
  // The result keeps the old object's history (previous names, prefixes) and hashes only if both asked to.
  const merged: Res = {
    ...res,
    prev: old.prev,
    prefixes: old.prefixes,
    suffixes: old.suffixes,
    needsHash: old.needsHash && res.needsHash,
    behavior: old.behavior,
    generated: old.generated ?? false,
  };
  list[list.indexOf(old)] = merged;
  index.replace(old, merged);
}
