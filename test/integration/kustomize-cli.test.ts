// `outpost render` as an operator runs it: from the fleet repository, with variables, and its exit codes.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests write ${VAR} expressions on purpose.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../server/cluster/types.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'outpost.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'kustomize');

async function outpost(args: string[], cwd: string) {
  try {
    const r = await run(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OUTPOST_LOG_LEVEL: 'silent' },
      timeout: 30_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Just the fields these tests read. */
type Pod = KubeObject & {
  spec: { replicas: number; template: { spec: { containers: { env: { value: string }[] }[] } } };
};

const objects = (yaml: string) =>
  parseAllDocuments(yaml)
    .map((d) => d.toJS() as KubeObject)
    .filter(Boolean);

describe('outpost render', { concurrency: 2 }, () => {
  test('prints a site overlay as multi-document YAML, reading the tree from the current folder', async () => {
    // Outside any Git work tree the current folder is the revision, so `../../base` resolves inside it.
    const repo = mkdtempSync(path.join(tmpdir(), 'outpost-render-'));
    cpSync(path.join(FIXTURES, 'site-overlay'), repo, { recursive: true });
    const r = await outpost(['render', 'sites/berlin'], repo);
    rmSync(repo, { recursive: true, force: true });
    assert.equal(r.code, 0, r.stderr);
    const objs = objects(r.stdout);
    assert.ok(objs.some((o) => o.kind === 'Deployment' && o.metadata.name === 'berlin-web'));
    assert.equal(objs[0]?.kind, 'Namespace');
  });

  test('reads only the files the render needs from a Git work tree, and prints what kubectl prints', async () => {
    // A checkout holds more than the fleet: a live database beside it once failed the render.
    const repo = mkdtempSync(path.join(tmpdir(), 'outpost-render-'));
    cpSync(path.join(FIXTURES, 'site-overlay'), repo, { recursive: true });
    mkdirSync(path.join(repo, '.git'));
    mkdirSync(path.join(repo, 'data'));
    writeFileSync(path.join(repo, 'data', 'outpost.db-wal'), Buffer.alloc(3 * 1024 * 1024, 0xfe));
    const r = await outpost(['render', path.join(repo, 'sites', 'berlin')], ROOT);
    const kubectl = await run('kubectl', ['kustomize', path.join(repo, 'sites', 'berlin')]);
    rmSync(repo, { recursive: true, force: true });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, kubectl.stdout);
  });

  test('substitutes --var values after the build, re-reading unquoted ones as YAML like Flux', async () => {
    const dir = path.join(FIXTURES, 'postbuild-variables');
    const r = await outpost(
      ['render', dir, '--root', dir, '--var', 'SITE_ID=berlin', '--var', 'REPLICAS=3'],
      ROOT,
    );
    assert.equal(r.code, 0, r.stderr);
    const web = objects(r.stdout).find((o) => o.kind === 'Deployment') as unknown as Pod;
    assert.equal(web.metadata.labels?.site, 'berlin');
    assert.equal(web.spec.replicas, 3);
    const [container] = web.spec.template.spec.containers;
    assert.deepEqual(
      container?.env.map((e) => e.value),
      ['berlin', '${NOT_A_VAR}'],
    );
  });

  test('--strict fails with exit 1, naming the unset variable and the object', async () => {
    const dir = path.join(FIXTURES, 'postbuild-variables');
    const r = await outpost(['render', dir, '--root', dir, '--var', 'SITE_ID=berlin', '--strict'], ROOT);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^outpost: apps\/v1 Deployment shop-web: variable "REPLICAS" is not set \(strict mode\)/,
    );
    assert.equal(r.stdout, '');
  });

  test('a usage mistake exits 2 with the usage text', async () => {
    const r = await outpost(['render', 'a', 'b'], ROOT);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /render needs exactly one <path>/);
    assert.match(r.stderr, /render <path> \[--var K=V\]\.\.\. \[--strict\]/);
  });
});
