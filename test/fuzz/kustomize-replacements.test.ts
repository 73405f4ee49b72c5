// Fuzzing replacements, vars, configurations and built-in transformer documents (server/render/kustomize/
// replacements.ts, refvars.ts, config.ts, plugins.ts, fieldpath.ts) on hostile objects: field paths with
// prototype keys, regex-bait `[name=…]` patterns and wildcards, odd delimiters and indexes, hostile var names
// and field specs. Each tree builds or fails with a RenderError, in time, leaves every prototype alone, and
// what it builds is plain data.
import fc from 'fast-check';
import { RenderError } from '../../server/render/errors.ts';
import { build } from '../../server/render/kustomize/build.ts';
import type { FileTree } from '../../server/sources/types.ts';
import { fuzz, guarded } from '../support/fuzz.ts';
import {
  hostileObject,
  hostileString,
  objectName,
  ownObject,
  PROTO_KEYS,
  REGEX_NAMES,
} from '../support/hostile.ts';
import { assertPlainData } from '../support/plain.ts';

const yaml = (v: unknown) => JSON.stringify(v) ?? 'null';

/** One part of a field path: a field, an index, a wildcard, an element selector (regex bait included). */
const part = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('spec', 'metadata', 'name', 'labels', 'template', 'containers', 'image'),
  },
  { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom('0', '1', '-1', '99', '*', '[]', '[=web]', '[a.b/c]') },
  { weight: 2, arbitrary: fc.constantFrom(...REGEX_NAMES).map((r) => `[name=${r}]`) },
  { weight: 1, arbitrary: hostileString },
);
const fieldPath = fc.array(part, { minLength: 1, maxLength: 6 }).map((p) => p.join('.'));
const specPath = fc.array(part, { minLength: 1, maxLength: 5 }).map((p) => p.join('/'));

const options = fc.record(
  {
    delimiter: fc.constantFrom('', '.', '/', '-', '$', '('),
    index: fc.integer({ min: -3, max: 5 }),
    create: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** Ordinary objects every selector can find, with hostile values; sometimes a hostile object beside them. */
const BASE = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: 'x.y/z', n: '3' } },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { ports: [{ name: 'http', port: 80 }] },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 1,
      template: { spec: { containers: [{ name: 'web', image: 'nginx', args: ['$(HOST)', '--a'] }] } },
    },
  },
];

const idSelector = fc.record(
  {
    kind: fc.constantFrom('Deployment', 'ConfigMap', 'Service', 'Widget', '__proto__'),
    name: objectName,
    namespace: fc.constantFrom('shop', 'default', '__proto__'),
  },
  { requiredKeys: [] },
);

/** A source: usually one that exists (so targets are reached), sometimes anything. */
const source = fc
  .tuple(fc.integer({ min: 0, max: 9 }), idSelector)
  .map(([n, any]) => (n < 8 ? { kind: 'ConfigMap', name: 'settings' } : any));
const sourcePath = fc
  .tuple(
    fc.integer({ min: 0, max: 9 }),
    fc.constantFrom('data.a', 'data.n', 'metadata.name', 'spec.ports', 'metadata'),
    fieldPath,
  )
  .map(([n, usual, any]) => (n < 7 ? usual : any));
/** A target selector: usually by kind only, so it selects. */
const select = fc
  .tuple(fc.integer({ min: 0, max: 9 }), idSelector)
  .map(([n, any]) => (n < 6 ? { kind: any.kind ?? 'Deployment' } : any));

const replacement = fc
  .tuple(
    source,
    sourcePath,
    fc.option(options, { nil: undefined }),
    fc.array(
      fc.tuple(
        select,
        fc.option(fc.constantFrom('app=web', 'a in (b,c)', '!x', '(', '__proto__'), { nil: undefined }),
        fc.array(idSelector, { maxLength: 2 }),
        fc.array(fieldPath, { maxLength: 3 }),
        fc.option(options, { nil: undefined }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([source, fp, o, targets]) => ({
    source: { ...source, fieldPath: fp, ...(o ? { options: o } : {}) },
    targets: targets.map(([select, labelSelector, reject, fieldPaths, to]) => ({
      select: { ...select, ...(labelSelector ? { labelSelector } : {}) },
      reject,
      fieldPaths,
      ...(to ? { options: to } : {}),
    })),
  }));

const varEntry = fc
  .tuple(
    fc.oneof(fc.constantFrom('HOST', 'PORT', 'A'), fc.constantFrom(...PROTO_KEYS), hostileString),
    source,
    sourcePath,
  )
  .map(([name, ref, fieldpath]) => ({ name, objref: { apiVersion: 'v1', ...ref }, fieldref: { fieldpath } }));

const fieldSpec = fc
  .tuple(
    fc.option(fc.constantFrom('Deployment', 'Widget', '__proto__'), { nil: undefined }),
    specPath,
    fc.boolean(),
  )
  .map(([kind, path, create]) => ({ ...(kind ? { kind } : {}), path, create }));

const config = fc.record(
  {
    nameReference: fc.array(
      fc
        .tuple(fc.constantFrom('ConfigMap', 'Service', '__proto__'), fc.array(fieldSpec, { maxLength: 2 }))
        .map(([kind, fieldSpecs]) => ({ kind, fieldSpecs })),
      { maxLength: 2 },
    ),
    commonLabels: fc.array(fieldSpec, { maxLength: 2 }),
    varReference: fc.array(fieldSpec, { maxLength: 2 }),
    images: fc.array(fieldSpec, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const transformer = fc.oneof(
  fc.tuple(fc.array(fieldSpec, { maxLength: 2 }), hostileString).map(([fieldSpecs, v]) => ({
    apiVersion: 'builtin',
    kind: 'LabelTransformer',
    metadata: { name: 'l' },
    labels: ownObject([['team', v]]),
    fieldSpecs,
  })),
  fc.tuple(fc.array(fieldSpec, { maxLength: 2 }), hostileString).map(([fieldSpecs, prefix]) => ({
    apiVersion: 'builtin',
    kind: 'PrefixSuffixTransformer',
    metadata: { name: 'p' },
    prefix,
    fieldSpecs,
  })),
  fc.array(replacement, { maxLength: 2 }).map((replacements) => ({
    apiVersion: 'builtin',
    kind: 'ReplacementTransformer',
    metadata: { name: 'r' },
    replacements,
  })),
  fc
    .constantFrom('someteam.example.com/v1', '__proto__')
    .map((apiVersion) => ({ apiVersion, kind: 'X', metadata: { name: 'x' } })),
);

const tree = fc
  .tuple(
    fc.tuple(fc.integer({ min: 0, max: 3 }), hostileObject).map(([n, o]) => (n === 0 ? [o] : [])),
    fc.array(replacement, { maxLength: 3 }),
    fc.array(varEntry, { maxLength: 2 }),
    fc.option(config, { nil: undefined }),
    fc.array(transformer, { maxLength: 2 }),
    fc.constantFrom('', 'eu-'),
  )
  .map(([objects, replacements, vars, cfg, transformers, namePrefix]) => {
    const k: Record<string, unknown> = { resources: ['a.yaml'] };
    if (replacements.length > 0) k.replacements = replacements;
    if (vars.length > 0) k.vars = vars;
    if (cfg) k.configurations = ['config.yaml'];
    if (transformers.length > 0) k.transformers = transformers.map(yaml);
    if (namePrefix) k.namePrefix = namePrefix;
    const files: FileTree = {
      'a.yaml': [...BASE, ...objects].map(yaml).join('\n---\n'),
      'config.yaml': yaml(cfg ?? {}),
      'kustomization.yaml': yaml(k),
    };
    return files;
  });

fuzz(import.meta.url, {
  'replacements, vars, configurations and transformer documents build or fail with a RenderError, in time': {
    runs: 250,
    build: () => ({
      property: fc.property(tree, (files) =>
        guarded({ files }, [RenderError], () => {
          assertPlainData(build(files, ''));
        }),
      ),
    }),
  },
});
