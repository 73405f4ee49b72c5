// What the read-only commands load: each only what it uses, so none pays at start-up for a validator, parser or
// cluster client it never calls. The bench measures the time (issue 15: ≤ 0.5 s); this keeps its cause from
// coming back unnoticed, without a timed assertion.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { reconcile } from '../../server/sync/reconciler.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { ROOT } from '../support/process.ts';

const run = promisify(execFile);

/** The heavy modules, by a part of their URL. */
const ZOD = '/node_modules/zod/';
const YAML = '/node_modules/yaml/';
const CRON = '/node_modules/node-cron/';
const CLIENT = '/node_modules/@kubernetes/client-node/';
const SQLITE = '/node_modules/better-sqlite3/';
const HTTP = 'node:http';
/** undici (which the library imports, undici.ts answers) and Node's bundled copy of it, which an ES import of
 * node:http loads for three of its exports. */
const UNDICI = '/node_modules/undici/';
const NODE_UNDICI = 'node:internal/deps/undici/undici';
const RECONCILER = '/server/sync/reconciler.ts';

describe('cli start-up', () => {
  let f: Fleet;
  let env: Record<string, string>;
  let logDir: string;
  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings') });
    await reconcile(f.deps, 'cli');
    env = {
      KUBECONFIG: path.join(f.dir, 'kubeconfig.yaml'),
      OUTPOST_DATA_DIR: f.dataDir,
      OUTPOST_SOURCE_KIND: 'dir',
      OUTPOST_SOURCE_URL: f.sourceDir,
    };
    logDir = mkdtempSync(path.join(tmpdir(), 'outpost-modules-'));
  });
  after(async () => {
    await f.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  /** Runs `outpost <args>` and returns the URLs of the modules it loaded (and its output). */
  async function loaded(args: string[], extraEnv: Record<string, string> = {}) {
    const log = path.join(logDir, `${args.join('-').replaceAll('/', '_')}.txt`);
    const r = await run(
      process.execPath,
      [
        '--import',
        path.join(ROOT, 'test', 'support', 'module-log.ts'),
        path.join(ROOT, 'bin', 'outpost.js'),
        ...args,
      ],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          OUTPOST_LOG_LEVEL: 'silent',
          OUTPOST_TEST_MODULE_LOG: log,
          ...env,
          ...extraEnv,
        },
        timeout: 30_000,
      },
    );
    const urls = readFileSync(log, 'utf8').split('\n');
    return { stdout: r.stdout, has: (part: string) => urls.some((u) => u.includes(part)) };
  }

  test('help loads no command and no library', async () => {
    const r = await loaded(['help']);
    assert.match(r.stdout, /usage: outpost/);
    for (const part of ['/server/cli/status.ts', '/server/config.ts', ZOD, SQLITE, CRON])
      assert.equal(r.has(part), false, part);
  });

  test('revisions reads the store without the configuration validator, node-cron or the cluster client', async () => {
    const r = await loaded(['revisions']);
    assert.match(r.stdout, /^ +1 +[0-9a-f]{12} +running /m);
    assert.equal(r.has(SQLITE), true, 'the store is read');
    for (const part of [ZOD, YAML, CRON, CLIENT, HTTP, RECONCILER]) assert.equal(r.has(part), false, part);
  });

  test('status validates the configuration, and loads neither the cluster client, HTTP nor (without a file) YAML', async () => {
    const r = await loaded(['status', '--json']);
    assert.ok(JSON.parse(r.stdout).applied, 'the applied revision is shown');
    for (const part of [ZOD, CRON, SQLITE]) assert.equal(r.has(part), true, part);
    for (const part of [YAML, CLIENT, HTTP, RECONCILER]) assert.equal(r.has(part), false, part);
    // zod's version 3 API is one module; version 4's classic API is ~95 and ~70 ms of every start.
    assert.equal(r.has('/node_modules/zod/v4/'), false);
  });

  test('diff talks to the cluster through node:http, without undici or Node’s bundled copy of it', async () => {
    f.write({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'v2') });
    const r = await loaded(['diff']);
    assert.match(r.stdout, /^configured +v1 ConfigMap shop\/settings/m);
    assert.equal(r.has(CLIENT), true);
    for (const part of [UNDICI, NODE_UNDICI]) assert.equal(r.has(part), false, part);
  });

  test('status reads a configuration file with the YAML parser', async () => {
    const file = path.join(logDir, 'outpost.yaml');
    writeFileSync(file, 'logLevel: silent\n');
    const r = await loaded(['status'], { OUTPOST_CONFIG: file });
    assert.match(r.stdout, /^state: /m);
    assert.equal(r.has(YAML), true);
  });

  test('render reads the tree without the store, the validator or the cluster client', async () => {
    const r = await loaded(['render', path.join('demo', 'fleet', 'sites', 'berlin')]);
    assert.match(r.stdout, /kind: /);
    for (const part of [SQLITE, ZOD, CRON, CLIENT, HTTP, RECONCILER]) assert.equal(r.has(part), false, part);
  });
});
