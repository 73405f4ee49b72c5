// Loads one kustomization file into a typed value; every field outside the supported subset is refused by name.
import type { FileTree } from '../../sources/types.ts';
import { RenderError } from '../errors.ts';
import { fileAt } from '../tree.ts';
import { parseDocument, YAML_11_OPTIONS } from '../yaml.ts';
import { canonicalFields, Reader } from './check.ts';
import type { FieldSpec } from './fieldspec.ts';
import type { GeneratorArgs, GeneratorOptions } from './generators.ts';
import type { ImageEdit } from './images.ts';
import type { PatchEntry } from './patches/index.ts';
import { readVar, type Var } from './refvars.ts';
import { type ReplacementEntry, readReplacementEntry } from './replacements.ts';
import type { Behavior } from './resource.ts';
import type { Selector } from './select.ts';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface LabelEntry {
  pairs: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
  fields?: FieldSpec[];
}

export interface Kustomization {
  file: string;
  /** The folder it lives in, relative to the revision root ('' for the root). */
  dir: string;
  kind: 'Kustomization' | 'Component';
  resources: string[];
  components: string[];
  namespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  commonLabels?: Record<string, string>;
  labels: LabelEntry[];
  commonAnnotations?: Record<string, string>;
  images: ImageEdit[];
  replicas: { name: string; count: number }[];
  patches: PatchEntry[];
  patchesStrategicMerge: string[];
  patchesJson6902: PatchEntry[];
  configMapGenerator: GeneratorArgs[];
  secretGenerator: GeneratorArgs[];
  generatorOptions?: GeneratorOptions;
  replacements: ReplacementEntry[];
  /** Files of transformer field specs (nameReference, namePrefix, commonLabels, images, varReference...). */
  configurations: string[];
  /** Built-in plugin configurations: inline YAML, or files and folders holding them. */
  generators: string[];
  transformers: string[];
  vars: Var[];
  /** A schema file for custom resources' merge keys (`path`), or kustomize's built-in one (`version`). */
  openapi?: { path?: string; version?: string };
  sortOptions?: { order: 'legacy' | 'fifo'; orderFirst?: string[]; orderLast?: string[] };
}

// Refused on purpose, each with the reason the operator sees.
const REFUSED: Record<string, string> = {
  helmCharts: 'Helm charts are not inflated on the node; render the chart into the repository instead',
  helmGlobals: 'Helm charts are not inflated on the node',
  helmChartInflationGenerator: 'Helm charts are not inflated on the node',
  validators: 'validator plugins are not supported',
  crds: 'CRD schemas for kustomize are not supported',
  buildMetadata: 'buildMetadata is not supported',
};

const SUPPORTED = [
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'bases',
  'components',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'images',
  'imageTags',
  'replicas',
  'patches',
  'patchesStrategicMerge',
  'patchesJson6902',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'sortOptions',
  'replacements',
  'configurations',
  'generators',
  'transformers',
  'vars',
  'openapi',
];

export function findKustomization(files: FileTree, dir: string): string | null {
  const found = KUSTOMIZATION_FILES.map((n) => (dir ? `${dir}/${n}` : n)).filter(
    (f) => fileAt(files, f) !== undefined,
  );
  if (found.length > 1)
    throw new RenderError(`${dir || '.'}: more than one kustomization file (${found.join(', ')})`);
  return found[0] ?? null;
}

export function selector(r: Reader): Selector | undefined {
  if (!r.present) return undefined;
  r.fields(['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector']);
  const s: Selector = {};
  for (const k of [
    'group',
    'version',
    'kind',
    'name',
    'namespace',
    'labelSelector',
    'annotationSelector',
  ] as const) {
    const v = r.at(k).string();
    if (v) s[k] = v;
  }
  return s;
}

export function fieldSpecs(r: Reader): FieldSpec[] {
  return r.list().map((f) => {
    f.fields(['path', 'group', 'version', 'kind', 'create']);
    const spec: FieldSpec = { path: f.at('path').requiredString(), create: f.at('create').bool() ?? false };
    for (const k of ['group', 'version', 'kind'] as const) {
      const v = f.at(k).string();
      if (v) spec[k] = v;
    }
    return spec;
  });
}

function options(r: Reader): GeneratorOptions | undefined {
  if (!r.present) return undefined;
  r.fields(['labels', 'annotations', 'disableNameSuffixHash', 'immutable']);
  const o: GeneratorOptions = {};
  const labels = r.at('labels').stringMap();
  const annotations = r.at('annotations').stringMap();
  if (labels) o.labels = labels;
  if (annotations) o.annotations = annotations;
  if (r.at('disableNameSuffixHash').bool()) o.disableNameSuffixHash = true;
  if (r.at('immutable').bool()) o.immutable = true;
  return o;
}

export function generator(r: Reader, secret: boolean): GeneratorArgs {
  const known = ['name', 'namespace', 'behavior', 'literals', 'files', 'envs', 'env', 'options'];
  r.fields(secret ? [...known, 'type'] : known);
  // kustomize takes any other word (`add`, a typo, empty) for create.
  const named = r.at('behavior').string();
  const behavior: Behavior = named === 'merge' || named === 'replace' ? named : 'create';
  const args: GeneratorArgs = { name: r.at('name').requiredString(), behavior };
  const namespace = r.at('namespace').string();
  if (namespace) args.namespace = namespace;
  args.literals = r.at('literals').strings();
  args.files = r.at('files').strings();
  args.envs = [...r.at('envs').strings(), ...(r.at('env').string() ? [r.at('env').string() as string] : [])];
  const opts = options(r.at('options'));
  if (opts) args.options = opts;
  const type = secret ? r.at('type').string() : undefined;
  if (type) args.type = type;
  return args;
}

function patch(r: Reader, legacy: boolean): PatchEntry {
  r.fields(legacy ? ['path', 'patch', 'target'] : ['path', 'patch', 'target', 'options']);
  const p: PatchEntry = {};
  const path = r.at('path').string();
  const text = r.at('patch').string();
  const target = selector(r.at('target'));
  if (path !== undefined) p.path = path;
  if (text !== undefined) p.patch = text;
  if (target) p.target = target;
  const o = r.at('options');
  if (o.present) {
    o.fields(['allowNameChange', 'allowKindChange']);
    p.options = { allowNameChange: o.at('allowNameChange').bool() ?? false };
    p.options.allowKindChange = o.at('allowKindChange').bool() ?? false;
  }
  return p;
}

export function image(r: Reader): ImageEdit {
  r.fields(['name', 'newName', 'newTag', 'digest', 'tagSuffix']);
  const edit: ImageEdit = { name: r.at('name').requiredString() };
  for (const k of ['newName', 'newTag', 'digest', 'tagSuffix'] as const) {
    const v = r.at(k).string();
    if (v) edit[k] = v;
  }
  if (edit.tagSuffix && (edit.newTag || edit.digest)) {
    r.fail('tagSuffix cannot be combined with newTag or digest');
  }
  return edit;
}

function label(r: Reader): LabelEntry {
  r.fields(['pairs', 'includeSelectors', 'includeTemplates', 'fields']);
  const entry: LabelEntry = { pairs: r.at('pairs').stringMap() ?? {} };
  if (r.at('includeSelectors').bool()) entry.includeSelectors = true;
  if (r.at('includeTemplates').bool()) entry.includeTemplates = true;
  const fields = fieldSpecs(r.at('fields'));
  if (fields.length > 0) entry.fields = fields;
  return entry;
}

function sortOptions(r: Reader): Kustomization['sortOptions'] {
  if (!r.present) return undefined;
  r.fields(['order', 'legacySortOptions']);
  const order = r.at('order').string();
  if (order !== 'legacy' && order !== 'fifo') r.at('order').fail('must be legacy or fifo');
  const legacy = r.at('legacySortOptions');
  if (legacy.present && order === 'fifo') legacy.fail('is only allowed with order: legacy');
  legacy.fields(['orderFirst', 'orderLast']);
  const out: NonNullable<Kustomization['sortOptions']> = { order: order as 'legacy' | 'fifo' };
  if (legacy.present) {
    out.orderFirst = legacy.at('orderFirst').strings();
    out.orderLast = legacy.at('orderLast').strings();
  }
  return out;
}

/** A field Outpost refuses (by name, with its reason) or does not know fails the kustomization. */
function refuseUnsupportedFields(root: Reader, file: string): void {
  for (const key of Object.keys(root.value as object)) {
    const reason = REFUSED[key];
    if (reason) throw new RenderError(`${file}: field "${key}" is not supported by Outpost: ${reason}`);
    if (!SUPPORTED.includes(key))
      throw new RenderError(`${file}: field "${key}" is not supported by Outpost`);
  }
}

/** `kind:` (Kustomization when absent), checked against `apiVersion:`. */
function kindOf(root: Reader): Kustomization['kind'] {
  const kindField = root.at('kind').string() ?? 'Kustomization';
  if (kindField !== 'Kustomization' && kindField !== 'Component') {
    root.at('kind').fail('must be Kustomization or Component');
  }
  const kind = kindField as Kustomization['kind'];
  const apiVersion = root.at('apiVersion').string();
  const wanted =
    kind === 'Component' ? 'kustomize.config.k8s.io/v1alpha1' : 'kustomize.config.k8s.io/v1beta1';
  if (apiVersion && apiVersion !== wanted) root.at('apiVersion').fail(`must be ${wanted} for a ${kind}`);
  return kind;
}

/** `openapi:`: a custom schema file or the built-in version, not both. */
function openapiOf(openapi: Reader): NonNullable<Kustomization['openapi']> {
  openapi.fields(['path', 'version']);
  const path = openapi.at('path').string();
  const version = openapi.at('version').string();
  if (path && version) openapi.fail('builtin version and custom schema provided, cannot use both');
  if (version && version !== 'v1.21.2') {
    openapi.at('version').fail(`the OpenAPI version "${version}" is not built in (kustomize has v1.21.2)`);
  }
  const out: NonNullable<Kustomization['openapi']> = {};
  if (path) out.path = path;
  if (version) out.version = version;
  return out;
}

export function loadKustomization(files: FileTree, file: string): Kustomization {
  // kustomize decodes its own file with sigs.k8s.io/yaml (YAML 1.1): `namePrefix: on` is a boolean there.
  const doc = canonicalFields(parseDocument(fileAt(files, file) as string, file, YAML_11_OPTIONS), [
    ...SUPPORTED,
    ...Object.keys(REFUSED),
  ]);
  const root = new Reader(file, '', doc ?? {});
  if (!root.present || typeof doc !== 'object' || Array.isArray(doc)) root.fail('must be a mapping');
  refuseUnsupportedFields(root, file);
  const kind = kindOf(root);
  if (Object.keys(root.value as object).every((key) => key === 'apiVersion' || key === 'kind')) {
    root.fail('the kustomization is empty');
  }
  const slash = file.lastIndexOf('/');
  const k: Kustomization = {
    file,
    dir: slash < 0 ? '' : file.slice(0, slash),
    kind,
    resources: [...root.at('resources').strings(), ...root.at('bases').strings()],
    components: root.at('components').strings(),
    labels: root.at('labels').list().map(label),
    images: [...root.at('images').list(), ...root.at('imageTags').list()].map(image),
    replicas: root
      .at('replicas')
      .list()
      .map((r) => {
        r.fields(['name', 'count']);
        return { name: r.at('name').requiredString(), count: r.at('count').int() ?? 0 };
      }),
    patches: root
      .at('patches')
      .list()
      .map((p) => patch(p, false)),
    patchesStrategicMerge: root.at('patchesStrategicMerge').strings(),
    patchesJson6902: root
      .at('patchesJson6902')
      .list()
      .map((p) => patch(p, true)),
    configMapGenerator: root
      .at('configMapGenerator')
      .list()
      .map((g) => generator(g, false)),
    secretGenerator: root
      .at('secretGenerator')
      .list()
      .map((g) => generator(g, true)),
    replacements: root.at('replacements').list().map(readReplacementEntry),
    configurations: root.at('configurations').strings(),
    generators: root.at('generators').strings(),
    transformers: root.at('transformers').strings(),
    vars: root.at('vars').list().map(readVar),
  };
  for (const key of ['namespace', 'namePrefix', 'nameSuffix'] as const) {
    const v = root.at(key).string();
    if (v) k[key] = v;
  }
  const commonLabels = root.at('commonLabels').stringMap();
  const commonAnnotations = root.at('commonAnnotations').stringMap();
  if (commonLabels) k.commonLabels = commonLabels;
  if (commonAnnotations) k.commonAnnotations = commonAnnotations;
  const generatorOptions = options(root.at('generatorOptions'));
  if (generatorOptions) k.generatorOptions = generatorOptions;
  const openapi = root.at('openapi');
  if (openapi.present) k.openapi = openapiOf(openapi);
  const sort = sortOptions(root.at('sortOptions'));
  if (sort) k.sortOptions = sort;
  return k;
}
