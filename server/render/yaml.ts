// Multi-document YAML parsing with limits: aliases, documents, nesting and size are capped before anything is
// built, and `__proto__` keys are refused.
import {
  Composer,
  type Document,
  type DocumentOptions,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  type ParseOptions,
  Parser,
  type ScalarTag,
  type SchemaOptions,
} from 'yaml';
import type { KubeObject } from '../cluster/types.ts';
import { RenderError } from './errors.ts';
import { checkObjectCount } from './limits.ts';
import { FORBIDDEN_KEY } from './own.ts';

/**
 * maxDepth: collections inside collections. Kubernetes objects stay far below it; a file of nested `[[[…]]]`
 * would otherwise build a node per bracket (1 MB of them took 654 MB).
 */
export const YAML_LIMITS = { maxAliasCount: 100, maxDocuments: 2_000, maxBytes: 1024 * 1024, maxDepth: 100 };

type Options = ParseOptions & DocumentOptions & SchemaOptions;
type Tags = Parameters<Extract<NonNullable<SchemaOptions['customTags']>, (...args: never[]) => unknown>>[0];

/**
 * A number as go-yaml v3 reads a plain scalar: underscores dropped, then Go's ParseInt with base 0 (so the
 * old octal `0644` is 420, and `0x`, `0o`, `0b` prefixes work), else a YAML-style float. Anything else is
 * not a number.
 */
export function goNumber(s: string): number | undefined {
  if (/^[-+]?\.(inf|Inf|INF)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(s)) return Number.NaN;
  if (s.startsWith('.')) return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) ? Number(s) : undefined;
  const plain = s.replaceAll('_', '');
  const int = /^([-+]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(plain);
  if (int) {
    const body = int[2] as string;
    const prefix = body.slice(0, 2).toLowerCase();
    const v =
      prefix === '0x'
        ? Number.parseInt(body.slice(2), 16)
        : prefix === '0b'
          ? Number.parseInt(body.slice(2), 2)
          : prefix === '0o'
            ? Number.parseInt(body.slice(2), 8)
            : body.length > 1 && body[0] === '0'
              ? Number.parseInt(body.slice(1), 8)
              : Number.parseInt(body, 10);
    return v === 0 ? 0 : int[1] === '-' ? -v : v;
  }
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) return Number(plain);
  return undefined;
}

const GO_NUMBER = {
  identify: (v: unknown) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: /^[-+.0-9][-+.0-9a-zA-Z_]*$/,
  resolve: (s: string) => goNumber(s) ?? s,
};

/**
 * How kustomize (go-yaml v3) reads manifests and patches: the YAML 1.2 core schema (`on` and `y` are
 * strings, only true/false are booleans) with go-yaml's number rules. Timestamps stay strings.
 */
export const YAML_OPTIONS: Options = {
  version: '1.2',
  schema: 'core',
  merge: true,
  uniqueKeys: true,
  customTags: (tags: Tags) => [
    // The number forms are all go-yaml's (GO_NUMBER), including .inf and .nan.
    ...tags.filter((t) => {
      const tag = typeof t === 'string' ? t : t.tag;
      return tag !== 'tag:yaml.org,2002:int' && tag !== 'tag:yaml.org,2002:float';
    }),
    GO_NUMBER,
  ],
};

/**
 * How Flux re-reads a resource after substituting variables (sigs.k8s.io/yaml, go-yaml v2: YAML 1.1, so
 * `yes` and `on` are booleans). Timestamps and sexagesimal numbers, which that reader turns into other
 * strings, are left as written.
 */
const DROPPED_TAGS = new Set([
  'tag:yaml.org,2002:timestamp',
  'tag:yaml.org,2002:binary',
  'tag:yaml.org,2002:set',
  'tag:yaml.org,2002:omap',
  'tag:yaml.org,2002:pairs',
]);
/**
 * go-yaml v2 takes a plain scalar for a float only when it has a digit (`.` and `1_0.` are not like `.5`):
 * the `yaml` package's YAML 1.1 floats would read `resources: [.]` as NaN.
 */
const GO_YAML_V2_FLOAT: Record<string, RegExp> = {
  EXP: /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9]+)[eE][-+]?[0-9]+$/,
  '': /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9]+)$/,
};
export const YAML_11_OPTIONS: Options = {
  version: '1.1',
  merge: true,
  customTags: (tags: Tags) =>
    tags
      .filter((t) => {
        const tag = typeof t === 'string' ? t : t.tag;
        const format = typeof t === 'string' ? undefined : (t as { format?: string }).format;
        return !DROPPED_TAGS.has(tag) && format !== 'TIME';
      })
      .map((t) => {
        if (typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:float' || !('test' in t)) return t;
        const test = GO_YAML_V2_FLOAT[(t as { format?: string }).format ?? ''];
        // The `.inf`/`.nan` tag keeps its own test.
        return test && !t.test?.test('.nan') ? ({ ...t, test } as ScalarTag) : t;
      }),
};

/**
 * Unquoted `${VAR}` scalars, keyed by the map key they sit under (see templateKey). Substitution reads their
 * results back as YAML, as Flux does with its text substitution; quoted ones stay strings. Collected only
 * while a render runs (collectPlainTemplates), so parsing stays free of side effects otherwise.
 */
let collector: Set<string> | null = null;

export function templateKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

export function collectPlainTemplates<T>(into: Set<string>, fn: () => T): T {
  const outer = collector;
  collector = into;
  try {
    return fn();
  } finally {
    collector = outer;
  }
}

/** Records a value that reaches the output as an unquoted scalar (kustomization fields, generated data). */
export function notePlainTemplate(key: string, value: string): void {
  if (collector && value.includes('${')) collector.add(templateKey(key, value));
}

function collect(node: unknown, key: string, into: Set<string>): void {
  if (isScalar(node)) {
    if (node.type === 'PLAIN' && typeof node.value === 'string' && node.value.includes('${')) {
      into.add(templateKey(key, node.value));
    }
  } else if (isMap(node)) {
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : key;
      collect(pair.value, k, into);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) collect(item, key, into);
  }
}

function collectDocument(doc: Document, text: string): void {
  if (collector && text.includes('${')) collect(doc.contents, '', collector);
}

/**
 * Parses every document of one file into plain values; empty documents are dropped. `options` defaults to
 * kustomize's reading of manifests; kustomizations and JSON patches are read like sigs.k8s.io/yaml does
 * (YAML_11_OPTIONS), as kustomize does.
 */
export function parseDocuments(text: string, file: string, options: Options = YAML_OPTIONS): unknown[] {
  return located(text, file, options).map(([value]) => value);
}

/**
 * Lexes, parses and composes like yaml's parseAllDocuments, but stops as soon as the nesting or the number of
 * documents goes over the limits, before the nodes for the rest are built.
 */
function composeBounded(text: string, file: string, options: Options): [Document[], LineCounter] {
  const lines = new LineCounter();
  lines.addNewLine(0); // what Parser.parse does first; we feed it lexemes one by one instead
  const parser = new Parser(lines.addNewLine);
  const composer = new Composer(options);
  const docs: Document[] = [];
  const add = (doc: Document) => {
    docs.push(doc);
    if (docs.length > YAML_LIMITS.maxDocuments) {
      throw new RenderError(`${file}: more than ${YAML_LIMITS.maxDocuments} YAML documents`);
    }
  };
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) for (const doc of composer.next(token)) add(doc);
    // The parser's stack holds the document and every open collection.
    if (parser.stack.length > YAML_LIMITS.maxDepth + 1) {
      throw new RenderError(
        `${file}: nested deeper than ${YAML_LIMITS.maxDepth} levels at line ${lines.linePos(parser.offset).line}`,
      );
    }
  }
  for (const token of parser.end()) for (const doc of composer.next(token)) add(doc);
  for (const doc of composer.end()) add(doc);
  return [docs, lines];
}

/**
 * An implicit empty key (`: value`, `{: value}`): go-yaml (kustomize) fails to parse it, where the `yaml`
 * package reads a null key. An explicit `? ` with nothing after it is an empty key in both.
 */
function isMissingKey(key: unknown, text: string): boolean {
  const range = isScalar(key) ? key.range : undefined;
  if (!range || range[0] !== range[1] || key === null) return false;
  let i = range[0] - 1;
  while (i >= 0 && /\s/.test(text[i] as string)) i--;
  return text[i] !== '?';
}

/**
 * Refuses a `__proto__` mapping key anywhere in the node tree (depth is already bounded), aliased keys too,
 * and a mapping key that is missing (see isMissingKey).
 */
function refuseProtoKeys(
  node: unknown,
  doc: Document,
  where: string,
  lines: LineCounter,
  text: string,
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isMissingKey(pair.key, text)) {
        const line = lines.linePos((pair.key as { range: [number] }).range[0]).line;
        throw new RenderError(`${where}: not valid YAML at line ${line}: a mapping key is missing`);
      }
      const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      if (isScalar(key) && key.value === FORBIDDEN_KEY) {
        const range = (pair.key as { range?: [number, number, number] }).range;
        const line = range ? lines.linePos(range[0]).line : 0;
        throw new RenderError(
          `${where}: the key "${FORBIDDEN_KEY}"${line ? ` at line ${line}` : ''} is not allowed`,
        );
      }
      refuseProtoKeys(pair.key, doc, where, lines, text);
      refuseProtoKeys(pair.value, doc, where, lines, text);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) refuseProtoKeys(item, doc, where, lines, text);
  }
  // An alias as a value needs no look: its anchor was checked where it was defined.
}

/**
 * A block scalar (`|`, `>`) that ends the file without a final line break has none in go-yaml (kustomize);
 * the `yaml` package adds one as if the file ended with it. Only the last scalar of the file can be one.
 */
function dropInventedBreak(node: unknown, end: number): void {
  if (isScalar(node)) {
    const range = node.range;
    if (
      (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') &&
      range &&
      range[1] >= end &&
      typeof node.value === 'string' &&
      node.value.endsWith('\n')
    ) {
      node.value = node.value.slice(0, -1);
    }
  } else if (isMap(node) || isSeq(node)) {
    const last = node.items[node.items.length - 1];
    dropInventedBreak(isMap(node) ? (last as { value?: unknown } | undefined)?.value : last, end);
  }
}

/** Each non-empty document with where it is (`file (document 3)`), for messages. */
function located(text: string, file: string, options: Options = YAML_OPTIONS): [unknown, string][] {
  if (Buffer.byteLength(text) > YAML_LIMITS.maxBytes) {
    throw new RenderError(`${file}: larger than ${YAML_LIMITS.maxBytes} bytes`);
  }
  const [list, lines] = composeBounded(text, file, options);
  const out: [unknown, string][] = [];
  list.forEach((doc, i) => {
    const where = list.length > 1 ? `${file} (document ${i + 1})` : file;
    const problem = doc.errors[0];
    if (problem) {
      const line = lines.linePos(problem.pos[0]).line;
      throw new RenderError(
        `${where}: not valid YAML${line ? ` at line ${line}` : ''}: ${problem.message.split('\n')[0]}`,
        { cause: problem },
      );
    }
    refuseProtoKeys(doc.contents, doc, where, lines, text);
    if (i === list.length - 1 && !/[\n\r]$/.test(text)) dropInventedBreak(doc.contents, text.length);
    collectDocument(doc, text);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
    } catch (err) {
      throw new RenderError(`${where}: ${(err as Error).message}`, { cause: err });
    }
    if (value !== null && value !== undefined) out.push([value, where]);
  });
  return out;
}

/** Parses one YAML document (a kustomization, a patch); an empty file is `null`. */
export function parseDocument(text: string, file: string, options: Options = YAML_OPTIONS): unknown {
  const docs = parseDocuments(text, file, options);
  if (docs.length > 1) throw new RenderError(`${file}: expected one YAML document, found ${docs.length}`);
  return docs[0] ?? null;
}

/**
 * An object whose kind ends in `List` (List, ConfigMapList, ...) and that has `items` stands for its items,
 * as in kustomize; lists inside lists are expanded too. Anything else is one object.
 */
function expandLists(value: unknown, where: string, out: KubeObject[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RenderError(`${where}: a manifest must be a mapping with apiVersion, kind and metadata`);
  }
  const obj = value as KubeObject;
  const items = (obj as { items?: unknown }).items;
  if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(items)) {
    for (const item of items) expandLists(item, where, out);
  } else out.push(obj);
  checkObjectCount(out.length, where);
}

/** Parses every document of one file; empty documents are dropped, `*List` kinds are expanded. */
export function parseManifests(text: string, file: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const [value, where] of located(text, file)) expandLists(value, where, out);
  return out;
}

export { toYaml } from './emit.ts';
