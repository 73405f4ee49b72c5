// Regenerates the data of server/render/kustomize/patches/schema-data.ts (which lists merge by key, per kind)
// from its upstream: the OpenAPI document kustomize embeds, kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb.
// That file ships inside every kubectl with kustomize v5 (gzipped, go:embed), so no network is needed:
//
//   node scripts/gen-strategic-schema.ts            # reads `kubectl` on PATH, rewrites the data in place
//   node scripts/gen-strategic-schema.ts --check    # exits 1 when the checked-in data differs
//   node scripts/gen-strategic-schema.ts --from swagger.pb   # a swagger.pb taken from kustomize's repository
//
// Only the KINDS and DEFS arrays are rewritten; the header comment (the format) and the reader stay as written.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const DATA = path.resolve(
  import.meta.dirname,
  '..',
  'server',
  'render',
  'kustomize',
  'patches',
  'schema-data.ts',
);

// --- the protobuf wire format, as far as gnostic's OpenAPIv2.proto needs it ----------------------------------

type Fields = Map<number, Buffer[]>;

/** Length-delimited fields of one message by number (varints and fixed fields are skipped: none are read). */
function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let i = 0;
  const varint = (): number => {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++] as number;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const wire = key % 8;
    const field = Math.floor(key / 8);
    if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const len = varint();
      const list = out.get(field) ?? [];
      list.push(buf.subarray(i, i + len));
      out.set(field, list);
      i += len;
    } else throw new Error(`unsupported wire type ${wire} at byte ${i}`);
  }
  return out;
}
const first = (f: Fields, n: number) => f.get(n)?.[0];
const text = (f: Fields, n: number) => first(f, n)?.toString('utf8');
const all = (f: Fields, n: number) => f.get(n) ?? [];

// gnostic openapi_v2 field numbers (openapiv2/OpenAPIv2.proto).
const DOCUMENT_DEFINITIONS = 9;
const NAMED_NAME = 1;
const NAMED_VALUE = 2;
const SCHEMA = { ref: 1, additionalProperties: 21, items: 23, properties: 25, vendorExtension: 31 } as const;
const ANY_YAML = 2;

interface Prop {
  ref?: string;
  itemRef?: string;
  valueRef?: string;
  strategy?: string;
  mergeKey?: string;
  listMapKeys?: string[];
}
interface Definition {
  props: Map<string, Prop>;
  /** The definition is itself a map: the definition of its values. */
  valueRef?: string;
  gvk: { group: string; version: string; kind: string }[];
}

function extensions(schema: Fields): Map<string, string> {
  const out = new Map<string, string>();
  for (const named of all(schema, SCHEMA.vendorExtension)) {
    const f = fields(named);
    const value = first(f, NAMED_VALUE);
    out.set(text(f, NAMED_NAME) ?? '', value ? (text(fields(value), ANY_YAML) ?? '') : '');
  }
  return out;
}

const refOf = (schema: Fields) => text(schema, SCHEMA.ref)?.replace('#/definitions/', '');
const itemRefOf = (schema: Fields) => {
  const items = first(schema, SCHEMA.items);
  const s = items && first(fields(items), 1);
  return s ? refOf(fields(s)) : undefined;
};
const valueRefOf = (schema: Fields) => {
  const ap = first(schema, SCHEMA.additionalProperties);
  const s = ap && first(fields(ap), 1);
  return s ? refOf(fields(s)) : undefined;
};

/** A YAML scalar or block list as gnostic stores a vendor extension (`merge\n`, `- name\n- protocol\n`). */
const yamlList = (y: string) =>
  y
    .split('\n')
    .map((l) => l.replace(/^- /, '').trim())
    .filter((l) => l !== '');

/** The simple YAML of x-kubernetes-group-version-kind: a list of {group, kind, version} maps. */
function gvks(y: string | undefined): Definition['gvk'] {
  if (!y) return [];
  const out: Definition['gvk'] = [];
  let cur: Record<string, string> = {};
  for (const line of y.split('\n')) {
    const m = /^(- )?\s*(group|kind|version): ?"?([^"]*)"?$/.exec(line);
    if (!m) continue;
    if (m[1] && Object.keys(cur).length > 0) {
      out.push(cur as Definition['gvk'][number]);
      cur = {};
    }
    cur[m[2] as string] = m[3] as string;
  }
  if (Object.keys(cur).length > 0) out.push(cur as Definition['gvk'][number]);
  return out.map((g) => ({ group: g.group ?? '', version: g.version ?? '', kind: g.kind ?? '' }));
}

function readProp(schema: Fields): Prop {
  const ext = extensions(schema);
  const prop: Prop = {};
  const ref = refOf(schema);
  const itemRef = itemRefOf(schema);
  const valueRef = valueRefOf(schema);
  if (ref) prop.ref = ref;
  if (itemRef) prop.itemRef = itemRef;
  if (valueRef) prop.valueRef = valueRef;
  const strategy = ext.get('x-kubernetes-patch-strategy');
  if (strategy) prop.strategy = yamlList(strategy).join(',');
  const mergeKey = ext.get('x-kubernetes-patch-merge-key');
  if (mergeKey) prop.mergeKey = yamlList(mergeKey)[0] as string;
  const listMapKeys = ext.get('x-kubernetes-list-map-keys');
  if (listMapKeys) prop.listMapKeys = yamlList(listMapKeys);
  return prop;
}

function readDefinitions(doc: Buffer): Map<string, Definition> {
  const defs = new Map<string, Definition>();
  const container = first(fields(doc), DOCUMENT_DEFINITIONS);
  if (!container) throw new Error('the OpenAPI document has no definitions');
  for (const named of all(fields(container), 1)) {
    const n = fields(named);
    const schema = fields(first(n, NAMED_VALUE) ?? Buffer.alloc(0));
    const props = new Map<string, Prop>();
    const propsMsg = first(schema, SCHEMA.properties);
    for (const p of propsMsg ? all(fields(propsMsg), 1) : []) {
      const pf = fields(p);
      props.set(text(pf, NAMED_NAME) ?? '', readProp(fields(first(pf, NAMED_VALUE) ?? Buffer.alloc(0))));
    }
    const def: Definition = { props, gvk: gvks(extensions(schema).get('x-kubernetes-group-version-kind')) };
    const valueRef = valueRefOf(schema);
    if (valueRef) def.valueRef = valueRef;
    defs.set(text(n, NAMED_NAME) ?? '', def);
  }
  return defs;
}

// --- the derivation the data file's header describes ----------------------------------------------------------

/** `io.k8s.api.apps.v1.Deployment` → `apps.v1.Deployment`; meta's `v1.ObjectMeta` keeps its two segments. */
function short(name: string): string {
  const parts = name.split('.');
  const tail = parts.slice(-3);
  return tail[0] === 'meta' ? tail.slice(1).join('.') : tail.join('.');
}

const merges = (p: Prop) => p.strategy?.split(',').includes('merge') ?? false;

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Definitions from which a merge list can be reached, found by fixpoint over the references. */
function reachingMerges(defs: Map<string, Definition>): Set<string> {
  const reaches = new Set<string>();
  const leadsOn = (d: Definition) =>
    [...d.props.values()].flatMap((p) => [p.ref, p.itemRef, p.valueRef]).concat(d.valueRef);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, d] of defs) {
      if (reaches.has(name)) continue;
      if ([...d.props.values()].some(merges) || leadsOn(d).some((r) => r !== undefined && reaches.has(r))) {
        reaches.add(name);
        changed = true;
      }
    }
  }
  return reaches;
}

/** One field in the DEFS notation, or null when it neither merges nor leads to a definition that does. */
function fieldEntry(field: string, p: Prop, reaches: Set<string>): string | null {
  const to = (mark: string, ref: string | undefined) =>
    ref && reaches.has(ref) ? `${mark}${short(ref)}` : '';
  const keys = merges(p) ? `:${(p.listMapKeys ?? (p.mergeKey ? [p.mergeKey] : [])).join('+')}` : '';
  const entry = `${keys}${to('>', p.ref)}${to('[', p.itemRef)}${to('{', p.valueRef)}`;
  return entry === '' ? null : `${field}${entry}`;
}

function derive(defs: Map<string, Definition>): { kinds: string[]; lines: string[] } {
  const reaches = reachingMerges(defs);
  const names = [...reaches].sort(byText);
  const lines = names.map((name) => {
    const d = defs.get(name) as Definition;
    // Fields in name order (the document's own order is not stable across its generators).
    const entries = [...d.props]
      .sort(([a], [b]) => byText(a, b))
      .map(([field, p]) => fieldEntry(field, p, reaches))
      .filter((e): e is string => e !== null);
    if (d.valueRef && reaches.has(d.valueRef)) entries.push(`*{${short(d.valueRef)}`);
    return [short(name), ...entries].join(' ');
  });
  const byApiVersion = new Map<string, string[]>();
  for (const name of names) {
    for (const g of defs.get(name)?.gvk ?? []) {
      const apiVersion = g.group ? `${g.group}/${g.version}` : g.version;
      byApiVersion.set(apiVersion, [...(byApiVersion.get(apiVersion) ?? []), short(name)]);
    }
  }
  const kinds = [...byApiVersion]
    .sort(([a], [b]) => byText(a, b))
    .map(([apiVersion, kindDefs]) => [apiVersion, ...kindDefs].join(' '));
  return { kinds, lines };
}

// --- the upstream file ----------------------------------------------------------------------------------------

/** kustomize's swagger.pb as embedded (gzipped) in the kubectl binary: the gzip stream that is an OpenAPI v2 doc. */
function fromKubectl(): Buffer {
  const bin = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
  const data = readFileSync(bin);
  for (
    let i = data.indexOf(Buffer.from([0x1f, 0x8b, 0x08]));
    i >= 0;
    i = data.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), i + 1)
  ) {
    let doc: Buffer;
    try {
      doc = gunzipSync(data.subarray(i, i + 64 * 1024 * 1024), { finishFlush: 2 });
    } catch {
      continue;
    }
    // Document.swagger = "2.0", then Info with title "Kubernetes" and the version kustomize pinned.
    if (doc.subarray(0, 5).equals(Buffer.from('\n\x032.0')) && doc.includes('x-kubernetes-patch-strategy'))
      return doc;
  }
  throw new Error(`${bin}: no embedded OpenAPI document found (a kubectl with kustomize v5 embeds one)`);
}

function render(kinds: string[], lines: string[]): string {
  const q = (l: string) => `  '${l}',`;
  return `const KINDS = [\n${kinds.map(q).join('\n')}\n];\n\nconst DEFS = [\n${lines.map(q).join('\n')}\n];`;
}

const args = process.argv.slice(2);
const fromIndex = args.indexOf('--from');
const doc = fromIndex >= 0 ? readFileSync(args[fromIndex + 1] as string) : fromKubectl();
const { kinds, lines } = derive(readDefinitions(doc));
const current = readFileSync(DATA, 'utf8');
const block = /const KINDS = \[[\s\S]*?\n\];\n\nconst DEFS = \[[\s\S]*?\n\];/;
if (!block.test(current))
  throw new Error(`${DATA}: the KINDS and DEFS arrays are not where the generator expects`);
const next = current.replace(block, render(kinds, lines));
if (args.includes('--check')) {
  process.stdout.write(
    next === current ? 'schema data is up to date\n' : 'schema data differs from upstream\n',
  );
  process.exit(next === current ? 0 : 1);
}
writeFileSync(DATA, next);
process.stdout.write(
  `${path.relative(process.cwd(), DATA)}: ${kinds.length} API versions, ${lines.length} definitions\n`,
);
