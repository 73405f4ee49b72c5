// Fuzzing the Kustomize build (server/render/kustomize/build.ts) on generated trees: a base and an overlay with
// resources, strategic and JSON 6902 patches with targets, namePrefix, labels, images and configMapGenerator,
// all with hostile names, paths and regexes. Each tree builds or fails with a RenderError, in time, leaves every
// prototype alone, and what it builds is plain data.
import fc from 'fast-check';
import { RenderError } from '../../server/render/errors.ts';
import { build } from '../../server/render/kustomize/build.ts';
import type { FileTree } from '../../server/sources/types.ts';
import { fuzz, guarded } from '../support/fuzz.ts';
import {
  hostileKey,
  hostileObject,
  hostileString,
  LONG_RUN,
  objectName,
  ownObject,
  PATHS,
  PROTO_KEYS,
  REGEX_NAMES,
} from '../support/hostile.ts';
import { assertPlainData } from '../support/plain.ts';

/** JSON is YAML: objects keep their own keys (`__proto__` included) on the way into the tree. */
const yaml = (v: unknown) => JSON.stringify(v) ?? 'null';

const RESOURCE_FILES = ['a.yaml', 'b.yaml'];

/** A path as a kustomization names files: real ones, and hostile ones (`../`, prototype keys, NUL). */
const pathEntry = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...RESOURCE_FILES, 'env.txt', 'patch.yaml') },
  { weight: 2, arbitrary: fc.constantFrom(...PATHS, '../base', '../base/a.yaml', 'https://example.com/x') },
  { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 1, arbitrary: hostileString },
);

/** A target field: a kind or name, a regex with catastrophic backtracking, or a hostile string. */
const targetPattern = fc.oneof(
  fc.constantFrom('Deployment', 'ConfigMap', 'web', 'aaaa', '.*'),
  fc.constantFrom(...REGEX_NAMES),
  hostileString,
);

const target = fc.record(
  {
    kind: targetPattern,
    name: targetPattern,
    namespace: targetPattern,
    labelSelector: fc.constantFrom('app=web', 'a in (b,c)', '!x', '__proto__', 'constructor=1', '(', ',,'),
  },
  { requiredKeys: [] },
);

const jsonOps = fc.array(
  fc
    .tuple(
      fc.constantFrom('add', 'replace', 'remove', 'copy', 'move', 'test'),
      fc.constantFrom(
        '/metadata/__proto__',
        '/metadata/labels/constructor',
        '/spec/template/spec/containers/0/image',
        '/spec/__proto__/polluted',
        '/metadata/name',
        '/-',
        '/',
      ),
      hostileString,
    )
    .map(([op, path, value]) => ({ op, path, from: '/metadata/name', value })),
  { minLength: 1, maxLength: 3 },
);

/** A strategic patch carrying a prototype key (as a YAML `__proto__:` mapping key would), at the top or in spec. */
const protoPatch = fc
  .tuple(
    hostileObject,
    fc.constantFrom(...PROTO_KEYS),
    fc.boolean(),
    // Most often a target that selects every object, so the patch is applied.
    fc.oneof({ weight: 3, arbitrary: fc.constant({ kind: '.*' }) }, fc.option(target, { nil: undefined })),
  )
  .map(([p, key, top, t]) => {
    const bait = ownObject([
      ['polluted', 'yes'],
      ['toString', 'x'],
    ]);
    const spec = ownObject([...Object.entries(p.spec as object), [key, bait]]);
    const doc = ownObject([
      ...Object.entries(p).filter(([k]) => k !== 'spec'),
      ['spec', spec],
      ...(top ? [[key, bait] as [string, unknown]] : []),
    ]);
    return { patch: yaml(doc), ...(t ? { target: t } : {}) };
  });

const patchEntry = fc.oneof(
  protoPatch,
  fc.tuple(hostileObject, fc.option(target, { nil: undefined })).map(([p, t]) => ({
    patch: yaml(p),
    ...(t ? { target: t } : {}),
  })),
  fc.tuple(jsonOps, target).map(([ops, t]) => ({ patch: yaml(ops), target: t })),
  fc
    .tuple(pathEntry, fc.option(target, { nil: undefined }))
    .map(([path, t]) => ({ path, ...(t ? { target: t } : {}) })),
);

const generator = fc
  .tuple(
    objectName,
    fc.array(fc.tuple(hostileKey, hostileString), { maxLength: 3 }),
    fc.array(pathEntry, { maxLength: 2 }),
    fc.array(pathEntry, { maxLength: 1 }),
    fc.constantFrom('create', 'merge', 'replace', undefined),
  )
  .map(([name, literals, files, envs, behavior]) => ({
    name,
    literals: literals.map(([k, v]) => `${k}=${v}`),
    files,
    envs,
    ...(behavior ? { behavior } : {}),
  }));

/** Absent `absent` times as often as present (most fields of a real kustomization are absent). */
const sometimes = <T>(a: fc.Arbitrary<T>, absent = 2): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });

/** The fields a kustomization may carry, each present or not; rarely a prototype key as an unknown field. */
const kustomization = (resources: fc.Arbitrary<string[]>) =>
  fc
    .tuple(
      resources,
      sometimes(hostileString),
      sometimes(
        fc.array(
          fc
            .tuple(
              fc.uniqueArray(fc.tuple(hostileKey, hostileString), { maxLength: 3, selector: ([k]) => k }),
              fc.boolean(),
            )
            .map(([pairs, includeSelectors]) => ({ pairs: ownObject(pairs), includeSelectors })),
          { minLength: 1, maxLength: 2 },
        ),
      ),
      sometimes(
        fc.array(
          fc
            .tuple(
              fc.oneof(fc.constantFrom('nginx', 'aaaa'), fc.constantFrom(...REGEX_NAMES), LONG_RUN),
              fc.constantFrom('v2', '', '_'),
            )
            .map(([name, newTag]) => ({ name, newTag })),
          { minLength: 1, maxLength: 2 },
        ),
      ),
      sometimes(fc.array(patchEntry, { minLength: 1, maxLength: 3 }), 1),
      sometimes(fc.array(generator, { minLength: 1, maxLength: 2 })),
      sometimes(fc.constantFrom(...PROTO_KEYS), 10),
    )
    .map(([res, namePrefix, labels, images, patches, configMapGenerator, extra]) => {
      const pairs: [string, unknown][] = [['resources', res]];
      for (const [k, v] of [
        ['namePrefix', namePrefix],
        ['labels', labels],
        ['images', images],
        ['patches', patches],
        ['configMapGenerator', configMapGenerator],
      ] as const) {
        if (v !== undefined) pairs.push([k, v]);
      }
      if (extra !== undefined) pairs.push([extra, {}]);
      return ownObject(pairs);
    });

/** Resources of the base: mostly its own files, sometimes a hostile path. */
const baseResources = fc.oneof(
  { weight: 6, arbitrary: fc.subarray(RESOURCE_FILES, { minLength: 1 }) },
  { weight: 1, arbitrary: fc.array(pathEntry, { minLength: 1, maxLength: 3 }) },
);

/** A base (in `base/`, or at the root where file lookups see the bare names) and, sometimes, an overlay on it. */
const tree = fc
  .tuple(
    fc.array(hostileObject, { minLength: 1, maxLength: 2 }),
    fc.array(hostileObject, { maxLength: 2 }),
    kustomization(baseResources),
    fc.option(kustomization(fc.constant(['../base'])), { nil: undefined }),
    fc.array(fc.tuple(fc.constantFrom(...PROTO_KEYS, 'A', 'a-b', '1'), hostileString), { maxLength: 3 }),
    fc.oneof(hostileObject.map(yaml), jsonOps.map(yaml), hostileString),
    fc.boolean(),
  )
  .map(([a, b, base, overlay, env, patch, atRoot]) => {
    const at = atRoot ? '' : 'base/';
    const files: FileTree = {
      [`${at}a.yaml`]: a.map(yaml).join('\n---\n'),
      [`${at}b.yaml`]: b.map(yaml).join('\n---\n'),
      [`${at}env.txt`]: env.map(([k, v]) => `${k}=${v}`).join('\n'),
      [`${at}patch.yaml`]: patch,
      [`${at}kustomization.yaml`]: yaml(base),
    };
    if (overlay) {
      overlay.resources = [atRoot ? '..' : '../base'];
      files['overlay/kustomization.yaml'] = yaml(overlay);
      files['overlay/patch.yaml'] = patch;
    }
    return { files, dir: overlay ? 'overlay' : atRoot ? '' : 'base' };
  });

fuzz(import.meta.url, {
  'a generated kustomization builds or fails with a RenderError, in time, and its output is plain data': {
    runs: 250,
    build: () => ({
      property: fc.property(tree, ({ files, dir }) =>
        guarded({ dir, files }, [RenderError], () => {
          assertPlainData(build(files, dir));
        }),
      ),
    }),
  },
});
