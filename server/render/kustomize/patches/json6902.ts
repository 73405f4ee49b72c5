// JSON Patch (RFC 6902) on one object: add, remove, replace, move, copy, test, with JSON Pointer paths.
import { isDeepStrictEqual } from 'node:util';
import { RenderError } from '../../errors.ts';
import { setOwn } from '../../own.ts';
import { isRecord } from '../resource.ts';

export interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Checks the shape of a patch document (a list of operations) and returns it typed. */
export function parseOperations(doc: unknown, where: string): Operation[] {
  if (!Array.isArray(doc)) throw new RenderError(`${where}: a JSON patch must be a list of operations`);
  return doc.map((op, i) => {
    if (!isRecord(op) || typeof op.op !== 'string' || !OPS.has(op.op)) {
      throw new RenderError(
        `${where}: operation ${i + 1} needs "op" (add, remove, replace, move, copy, test)`,
      );
    }
    if (typeof op.path !== 'string')
      throw new RenderError(`${where}: operation ${i + 1} (${op.op}) needs "path"`);
    if ((op.op === 'move' || op.op === 'copy') && typeof op.from !== 'string') {
      throw new RenderError(`${where}: operation ${i + 1} (${op.op}) needs "from"`);
    }
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !Object.hasOwn(op, 'value')) {
      throw new RenderError(`${where}: operation ${i + 1} (${op.op}) needs "value"`);
    }
    return op as unknown as Operation;
  });
}

function pointer(path: string, where: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new RenderError(`${where}: "${path}" is not a JSON pointer`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The container holding the pointer's last token, and that token. */
function parentOf(doc: unknown, tokens: string[], path: string, where: string): [unknown, string] {
  let node = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[index(node, t, path, where, false)];
    else if (isRecord(node) && Object.hasOwn(node, t)) node = node[t];
    else throw new RenderError(`${where}: path "${path}" does not exist`);
  }
  return [node, tokens[tokens.length - 1] as string];
}

function index(list: unknown[], token: string, path: string, where: string, forAdd: boolean): number {
  if (forAdd && token === '-') return list.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token))
    throw new RenderError(`${where}: "${token}" in "${path}" is not an index`);
  const i = Number(token);
  if (i > list.length || (!forAdd && i === list.length)) {
    throw new RenderError(`${where}: index ${i} in "${path}" is out of range`);
  }
  return i;
}

function get(doc: unknown, path: string, where: string): unknown {
  const tokens = pointer(path, where);
  if (tokens.length === 0) return doc;
  const [parent, last] = parentOf(doc, tokens, path, where);
  if (Array.isArray(parent)) return parent[index(parent, last, path, where, false)];
  if (isRecord(parent) && Object.hasOwn(parent, last)) return parent[last];
  throw new RenderError(`${where}: path "${path}" does not exist`);
}

function remove(doc: unknown, path: string, where: string): unknown {
  const [parent, last] = parentOf(doc, pointer(path, where), path, where);
  if (Array.isArray(parent)) return parent.splice(index(parent, last, path, where, false), 1)[0];
  if (isRecord(parent) && Object.hasOwn(parent, last)) {
    const v = parent[last];
    delete parent[last];
    return v;
  }
  throw new RenderError(`${where}: cannot remove "${path}": it does not exist`);
}

function add(doc: unknown, path: string, value: unknown, where: string, replace: boolean): unknown {
  const tokens = pointer(path, where);
  if (tokens.length === 0) return value;
  const [parent, last] = parentOf(doc, tokens, path, where);
  if (Array.isArray(parent)) {
    const i = index(parent, last, path, where, !replace);
    parent.splice(i, replace ? 1 : 0, value);
  } else if (isRecord(parent)) {
    // A `replace` of a missing key in an existing map adds it: kustomize's JSON patch library does.
    setOwn(parent, last, value, where);
  } else throw new RenderError(`${where}: path "${path}" does not exist`);
  return doc;
}

/** Applies the operations in order to `doc` (modified in place) and returns the result. */
export function applyJsonPatch(doc: unknown, ops: Operation[], where: string): unknown {
  let out = doc;
  for (const op of ops) {
    switch (op.op) {
      case 'add':
        out = add(out, op.path, structuredClone(op.value), where, false);
        break;
      case 'replace':
        out = add(out, op.path, structuredClone(op.value), where, true);
        break;
      case 'remove':
        remove(out, op.path, where);
        break;
      case 'move': {
        const v = remove(out, op.from as string, where);
        out = add(out, op.path, v, where, false);
        break;
      }
      case 'copy':
        out = add(out, op.path, structuredClone(get(out, op.from as string, where)), where, false);
        break;
      case 'test':
        if (!isDeepStrictEqual(get(out, op.path, where), op.value)) {
          throw new RenderError(`${where}: test failed at "${op.path}"`);
        }
        break;
    }
  }
  return out;
}
