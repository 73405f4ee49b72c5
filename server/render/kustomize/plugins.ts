// `transformers:` and `generators:`: kustomize's built-in plugins configured by a document (apiVersion
// `builtin`), inline or in a file or folder. External plugins, exec and container (KRM) functions are
// refused by name: nothing a revision holds is ever run.
import { RenderError } from '../errors.ts';
import { getOwn } from '../own.ts';
import { parseDocuments } from '../yaml.ts';
import { Reader } from './check.ts';
import { absorb, generate, type ReadFile } from './generators.ts';
import { setImages } from './images.ts';
import { fieldSpecs, generator, image, selector } from './load.ts';
import { applyJson6902Patches, applyPatches, applyStrategicMergePatches } from './patches/index.ts';
import { applyReplacements, type Replacement, readReplacement, readReplacementFile } from './replacements.ts';
import { IdIndex, isRecord, type Res } from './resource.ts';
import {
  addLabels,
  addNamePrefixSuffix,
  type NamespaceOptions,
  setNamespace,
  setReplicas,
} from './transformers.ts';

/** A plugin's configuration document and the file (or kustomization, when inline) it came from. */
export interface PluginConfig {
  obj: Record<string, unknown>;
  file: string;
}

const FUNCTION_ANNOTATIONS = ['config.kubernetes.io/function', 'config.k8s.io/function'];

/** An entry is inline YAML when it parses to mappings; anything else is a path (kustomize's own test). */
export function inlineConfigs(entry: string, file: string): PluginConfig[] | null {
  let docs: unknown[];
  try {
    docs = parseDocuments(entry, file);
  } catch {
    return null;
  }
  if (docs.length === 0 || !docs.every(isRecord)) return null;
  return docs.map((obj) => ({ obj: obj as Record<string, unknown>, file }));
}

/** Refuses, by name, anything that is not one of kustomize's built-in plugins. */
function builtinKind(c: PluginConfig, field: string): string {
  const kind = typeof c.obj.kind === 'string' ? c.obj.kind : '';
  const apiVersion = typeof c.obj.apiVersion === 'string' ? c.obj.apiVersion : '';
  const metadata = isRecord(c.obj.metadata) ? c.obj.metadata : {};
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const what = `${c.file}: ${field}: ${apiVersion || '(no apiVersion)'} ${kind || '(no kind)'}`;
  if (FUNCTION_ANNOTATIONS.some((a) => getOwn(annotations, a) !== undefined)) {
    throw new RenderError(
      `${what} is a KRM function (exec or container): not supported by Outpost, which never runs code from a revision`,
    );
  }
  if (apiVersion !== 'builtin') {
    throw new RenderError(
      `${what} is an external plugin: not supported by Outpost (only apiVersion: builtin plugins are)`,
    );
  }
  return kind;
}

function stringMap(r: Reader): Record<string, string> {
  return r.stringMap() ?? {};
}

/** The generator arguments of a ConfigMapGenerator/SecretGenerator document (name from metadata). */
function generatorArgs(c: PluginConfig, secret: boolean) {
  const { apiVersion: _a, kind: _k, metadata, ...rest } = c.obj;
  const meta = isRecord(metadata) ? metadata : {};
  const args: Record<string, unknown> = { ...rest };
  if (args.name === undefined && meta.name !== undefined) args.name = meta.name;
  if (args.namespace === undefined && meta.namespace !== undefined) args.namespace = meta.namespace;
  return generator(new Reader(c.file, '', args), secret);
}

export function runGenerators(list: Res[], configs: PluginConfig[], read: ReadFile): void {
  const ids = new IdIndex(list);
  configs.forEach((c) => {
    const kind = builtinKind(c, 'generators');
    if (kind === 'HelmChartInflationGenerator') {
      throw new RenderError(
        `${c.file}: generators: builtin HelmChartInflationGenerator is not supported by Outpost: Helm charts are not inflated on the node; render the chart into the repository instead`,
      );
    }
    if (kind !== 'ConfigMapGenerator' && kind !== 'SecretGenerator') {
      throw new RenderError(`${c.file}: generators: builtin ${kind} is not a generator Outpost supports`);
    }
    const args = generatorArgs(c, kind === 'SecretGenerator');
    const where = `${c.file}: ${kind} (${args.name})`;
    absorb(
      list,
      ids,
      generate(kind === 'ConfigMapGenerator' ? 'ConfigMap' : 'Secret', args, where, read),
      where,
    );
  });
}

function replacementsOf(r: Reader, read: ReadFile): Replacement[] {
  return r.list().flatMap((x) => {
    if (x.at('path').present) {
      const p = x.at('path').requiredString();
      return readReplacementFile(read(p, 'replacement file'), p);
    }
    return [readReplacement(x, false)];
  });
}

/** A NamespaceTransformer's options: how RoleBinding subjects follow, and whether set namespaces are kept. */
function namespaceOptions(r: Reader): NamespaceOptions {
  const mode = r.at('setRoleBindingSubjects').string() ?? 'defaultOnly';
  if (!['defaultOnly', 'allServiceAccounts', 'none', ''].includes(mode)) {
    r.at('setRoleBindingSubjects').fail('must be one of defaultOnly, none or allServiceAccounts');
  }
  return {
    subjects: (mode || 'defaultOnly') as NamespaceOptions['subjects'],
    unsetOnly: r.at('unsetOnly').bool() ?? false,
  };
}

/** A PatchTransformer document as a `patches:` entry. */
function patchEntry(r: Reader): Parameters<typeof applyPatches>[1][number] {
  const entry: Parameters<typeof applyPatches>[1][number] = {};
  const p = r.at('path').string();
  const text = r.at('patch').string();
  const target = selector(r.at('target'));
  if (p) entry.path = p;
  if (text) entry.patch = text;
  if (target) entry.target = target;
  const o = r.at('options');
  if (o.present) {
    entry.options = {
      allowNameChange: o.at('allowNameChange').bool() ?? false,
      allowKindChange: o.at('allowKindChange').bool() ?? false,
    };
  }
  return entry;
}

/** A PatchJson6902Transformer document as a `patchesJson6902:` entry. */
function json6902Entry(r: Reader): Parameters<typeof applyJson6902Patches>[1][number] {
  const entry: Parameters<typeof applyJson6902Patches>[1][number] = {};
  const p = r.at('path').string();
  const text = r.at('jsonOp').string();
  const target = selector(r.at('target'));
  if (p) entry.path = p;
  if (text) entry.patch = text;
  if (target) entry.target = target;
  return entry;
}

/** Runs the transformer documents in order, after the kustomization's own fields, as kustomize does. */
export function runTransformers(list: Res[], configs: PluginConfig[], read: ReadFile): Res[] {
  let out = list;
  for (const c of configs) {
    const kind = builtinKind(c, 'transformers');
    const r = new Reader(c.file, kind, c.obj);
    const specs = () => fieldSpecs(r.at('fieldSpecs'));
    switch (kind) {
      case 'LabelTransformer':
        addLabels(out, stringMap(r.at('labels')), specs());
        break;
      case 'AnnotationsTransformer':
        addLabels(out, stringMap(r.at('annotations')), specs());
        break;
      case 'PrefixSuffixTransformer':
      case 'PrefixTransformer':
      case 'SuffixTransformer': {
        const fs = specs();
        const prefix = kind === 'SuffixTransformer' ? '' : (r.at('prefix').string() ?? '');
        const suffix = kind === 'PrefixTransformer' ? '' : (r.at('suffix').string() ?? '');
        addNamePrefixSuffix(out, prefix, suffix, { namePrefix: fs, nameSuffix: fs });
        break;
      }
      case 'NamespaceTransformer': {
        const namespace = r.at('metadata').at('namespace').string() ?? '';
        const options = namespaceOptions(r);
        if (namespace) setNamespace(out, namespace, c.file, specs(), options);
        break;
      }
      case 'ImageTagTransformer':
        setImages(out, [image(r.at('imageTag'))], specs());
        break;
      case 'ReplicaCountTransformer': {
        const replica = r.at('replica');
        setReplicas(
          out,
          replica.at('name').requiredString(),
          replica.at('count').int() ?? 0,
          c.file,
          specs(),
        );
        break;
      }
      case 'PatchTransformer':
        out = applyPatches(out, [patchEntry(r)], c.file, read);
        break;
      case 'PatchStrategicMergeTransformer': {
        const entries = [...r.at('paths').strings()];
        const inline = r.at('patches').string();
        if (inline) entries.push(inline);
        out = applyStrategicMergePatches(out, entries, c.file, read);
        break;
      }
      case 'PatchJson6902Transformer':
        applyJson6902Patches(out, [json6902Entry(r)], c.file, read);
        break;
      case 'ReplacementTransformer':
        applyReplacements(out, replacementsOf(r.at('replacements'), read), c.file);
        break;
      default:
        throw new RenderError(
          `${c.file}: transformers: builtin ${kind || '(no kind)'} is not a transformer Outpost supports`,
        );
    }
  }
  return out;
}
