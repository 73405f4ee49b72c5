// Conformance: every fixture under test/fixtures/kustomize renders to the same objects as `kubectl kustomize`,
// printed byte for byte as it prints them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../server/cluster/types.ts';
import { render } from '../../server/render/index.ts';
import { toYaml, YAML_OPTIONS } from '../../server/render/yaml.ts';
import { dirSource } from '../../server/sources/dir.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'kustomize');

interface Case {
  name: string;
  tree: string;
  /** Where in the tree to render (a fixture may hold a whole fleet repo and render one site). */
  at: string;
}

const cases: Case[] = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== 'errors')
  .map((e) => {
    const tree = path.join(FIXTURES, e.name);
    const pathFile = path.join(tree, 'render-path');
    const at = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '.';
    return { name: e.name, tree, at };
  });
// The sample fleet repo must keep rendering like kustomize too.
for (const site of ['berlin', 'osaka']) {
  cases.push({ name: `demo fleet ${site}`, tree: path.join(ROOT, 'demo', 'fleet'), at: `sites/${site}` });
}

const id = (o: KubeObject) => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

async function kubectl(dir: string): Promise<{ text: string; objects: KubeObject[] }> {
  const { stdout } = await run('kubectl', ['kustomize', dir], { maxBuffer: 64 * 1024 * 1024 });
  // Read back with the same YAML rules as our renderer, so both sides mean the same scalars.
  const objects = parseAllDocuments(stdout, YAML_OPTIONS)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
  return { text: stdout, objects };
}

describe('kustomize conformance', { concurrency: 4 }, () => {
  test('there are at least 80 kustomization fixtures', () => {
    assert.ok(cases.length - 2 >= 80, `only ${cases.length - 2} fixtures`);
  });

  for (const c of cases) {
    test(`fixture ${c.name} renders the same objects and bytes as kubectl kustomize`, async () => {
      const { text, objects: expected } = await kubectl(path.join(c.tree, c.at));
      const { files } = await dirSource(c.tree).fetch();
      // A JSON round trip drops what YAML output cannot carry (undefined), as writing the objects out would.
      const actual = JSON.parse(JSON.stringify(render(files, c.at))) as KubeObject[];
      const byId = (list: KubeObject[]) => new Map(list.map((o) => [id(o), o]));
      const want = byId(expected);
      const got = byId(actual);
      assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), 'the same objects');
      for (const [key, obj] of want) assert.deepEqual(got.get(key), obj, key);
      assert.deepEqual(actual.map(id), expected.map(id), 'in the same order');
      // What `diff <(kubectl kustomize DIR) <(outpost render DIR)` compares.
      assert.equal(toYaml(actual), text, 'the same bytes');
    });
  }
});
