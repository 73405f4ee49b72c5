// Refusals: every unsupported field and every safety limit fails with an error naming the file (and field).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { RenderError, render } from '../../server/render/index.ts';
import { BUILD_LIMITS } from '../../server/render/kustomize/build.ts';
import { YAML_LIMITS } from '../../server/render/yaml.ts';
import type { FileTree } from '../../server/sources/types.ts';
import { TREE_LIMITS } from '../../server/sources/types.ts';

const ERRORS = path.resolve(import.meta.dirname, '..', 'fixtures', 'kustomize', 'errors');

function readTree(dir: string, rel = ''): FileTree {
  const out: FileTree = {};
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, readTree(dir, p));
    else out[p] = readFileSync(path.join(dir, p), 'utf8');
  }
  return out;
}

function rejects(files: FileTree, at: string, pattern: RegExp): void {
  assert.throws(
    () => render(files, at),
    (err: unknown) => {
      assert.ok(err instanceof RenderError, `expected a RenderError, got ${String(err)}`);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('error fixtures', () => {
  const names = readdirSync(ERRORS).sort();
  test('cover every refused kustomization field', () => {
    for (const field of [
      'helmCharts',
      'helmGlobals',
      'helmChartInflationGenerator',
      'validators',
      'crds',
      'buildMetadata',
    ]) {
      assert.ok(names.includes(`field-${field}`), `no error fixture for ${field}`);
    }
  });
  for (const name of names) {
    test(`fixture ${name} fails with the expected error`, () => {
      const dir = path.join(ERRORS, name);
      const files = readTree(dir);
      const pathFile = path.join(dir, 'render-path');
      const at = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '.';
      rejects(files, at, new RegExp(readFileSync(path.join(dir, 'expected-error.txt'), 'utf8').trim()));
    });
  }
});

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('safety limits', () => {
  test('render refuses a tree with more files than the limit', () => {
    const files: FileTree = { 'kustomization.yaml': 'resources: [a.yaml]\n', 'a.yaml': cm('a') };
    for (let i = 0; i < TREE_LIMITS.maxFiles; i++) files[`junk/${i}.txt`] = '';
    rejects(files, '.', new RegExp(`more than ${TREE_LIMITS.maxFiles} files`));
  });

  test('render refuses a file larger than the limit, naming it', () => {
    const big = `${cm('big')}data:\n  x: "${'x'.repeat(TREE_LIMITS.maxFileBytes)}"\n`;
    rejects(
      { 'kustomization.yaml': 'resources: [big.yaml]\n', 'big.yaml': big },
      '.',
      /^big\.yaml: larger than/,
    );
  });

  test('render refuses a file with more YAML documents than the limit', () => {
    const many = Array.from({ length: YAML_LIMITS.maxDocuments + 1 }, (_, i) => cm(`c${i}`)).join('---\n');
    rejects(
      { 'kustomization.yaml': 'resources: [many.yaml]\n', 'many.yaml': many },
      '.',
      new RegExp(`^many\\.yaml: more than ${YAML_LIMITS.maxDocuments} YAML documents`),
    );
  });

  test('a billion-laughs resource fails fast on the alias limit', () => {
    const dir = path.join(ERRORS, 'alias-bomb');
    const started = Date.now();
    rejects(readTree(dir), '.', /^bomb\.yaml: .*[Aa]lias/);
    assert.ok(Date.now() - started < 1000, 'fails fast');
  });

  test('render refuses kustomizations nested deeper than the limit', () => {
    const files: FileTree = {};
    let dir = '';
    for (let i = 0; i <= BUILD_LIMITS.maxDepth + 1; i++) {
      files[`${dir}kustomization.yaml`] = `resources: [d${i}]\n`;
      dir += `d${i}/`;
    }
    files[`${dir}kustomization.yaml`] = 'resources: [cm.yaml]\n';
    files[`${dir}cm.yaml`] = cm('deep');
    rejects(files, '.', new RegExp(`nested more than ${BUILD_LIMITS.maxDepth} deep`));
  });

  test('render refuses a source path outside the revision', () => {
    rejects({ 'a.yaml': cm('a') }, '../elsewhere', /source path: "\.\.\/elsewhere" is outside the revision/);
    rejects({ 'a.yaml': cm('a') }, '/etc', /source path: absolute path "\/etc" is not allowed/);
  });

  test('render refuses more objects than the limit, however they are packed', () => {
    // The limit is lowered for the test: parsing ten thousand objects would only make it slow.
    const saved = BUILD_LIMITS.maxObjects;
    BUILD_LIMITS.maxObjects = 50;
    try {
      const items = Array.from({ length: 30 }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `c${i}` },
      }));
      const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
      rejects(
        {
          'kustomization.yaml': 'resources: [a.json, b]\n',
          'a.json': list,
          'b/kustomization.yaml': 'resources: [a.json]\nnamePrefix: b-\n',
          'b/a.json': list,
        },
        '.',
        /kustomization\.yaml: more than 50 objects/,
      );
    } finally {
      BUILD_LIMITS.maxObjects = saved;
    }
  });
});
