// The running server is built on the six packages Outpost was specified with: after a sync, each of them has
// been loaded by the process (htmx.org, browser code, is the file the console serves, taken from the package).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type OutpostProcess, ROOT, startOutpost, waitFor } from '../support/process.ts';

const exec = promisify(execFile);
const SERVER_SIDE = [
  'express',
  'better-sqlite3',
  '@kubernetes/client-node',
  'node-cron',
  'systeminformation',
];

describe('the specified stack at run time', () => {
  let dir: string;
  let outpost: OutpostProcess;
  const loadedFile = () => path.join(dir, 'loaded-packages.txt');

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'outpost-stack-'));
    const preload = pathToFileURL(path.join(ROOT, 'test', 'support', 'loaded-packages.ts')).href;
    outpost = await startOutpost({
      OUTPOST_DATA_DIR: path.join(dir, 'data'),
      OUTPOST_TEST_LOADED_PACKAGES: loadedFile(),
      NODE_OPTIONS: `--import=${preload}`,
    });
    // The demo's startup sync (kubesim in the process), read as `outpost status` does.
    await waitFor(
      'the startup sync',
      async () => {
        const { stdout } = await exec(process.execPath, ['bin/outpost.js', 'status', '--json'], {
          cwd: ROOT,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, OUTPOST_DATA_DIR: path.join(dir, 'data') },
        });
        return (JSON.parse(stdout) as { applied?: unknown }).applied;
      },
      60_000,
      250,
    );
  });
  after(async () => {
    await outpost?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('after a sync the server process has loaded express, better-sqlite3, client-node, node-cron and systeminformation', () => {
    const loaded = new Set(
      readFileSync(loadedFile(), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('file ') && !l.startsWith('systeminformation ')),
    );
    assert.deepEqual(
      SERVER_SIDE.filter((p) => !loaded.has(p)),
      [],
      `loaded: ${[...loaded].sort().join(', ')}`,
    );
  });

  test('client-node is loaded without its typed API classes and generated models (~36 MB it never needs)', () => {
    const files = readFileSync(loadedFile(), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('file '))
      .map((l) => l.slice(5));
    assert.ok(
      files.includes('dist/object.js') && files.includes('dist/gen/models/ObjectSerializer.js'),
      files.join(),
    );
    const heavy = files.filter((f) =>
      /^dist\/gen\/(types\/|apis\/(?!exception|baseapi)|models\/(?!ObjectSerializer))/.test(f),
    );
    assert.deepEqual(heavy, []);
  });

  test('the library’s watches run on node:http: undici (its pools, its WebAssembly parser) is never loaded', () => {
    const loaded = readFileSync(loadedFile(), 'utf8').split('\n');
    assert.ok(loaded.includes('file dist/watch.js'), loaded.join());
    assert.equal(loaded.includes('undici'), false, loaded.join());
  });

  test('systeminformation is loaded in part: the modules the host readings call, not its index', () => {
    const files = readFileSync(loadedFile(), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('systeminformation '))
      .map((l) => l.slice('systeminformation '.length));
    assert.ok(files.includes('lib/cpu.js') && files.includes('lib/memory.js'), files.join());
    for (const unused of [
      'lib/index.js',
      'lib/battery.js',
      'lib/wifi.js',
      'lib/docker.js',
      'lib/bluetooth.js',
    ])
      assert.equal(files.includes(unused), false, files.join());
  });

  test('the htmx the console serves is htmx.org’s own build from the installed package', async () => {
    const pkg = path.dirname(createRequire(import.meta.url).resolve('htmx.org/package.json'));
    for (const [served, file] of [
      ['/static/vendor/htmx.min.js', 'dist/htmx.min.js'],
      ['/static/vendor/hx-csp.min.js', 'dist/ext/hx-csp.min.js'],
    ] as const) {
      const res = await fetch(`${outpost.url}${served}`);
      assert.equal(res.status, 200, served);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(readFileSync(path.join(pkg, file))), served);
    }
  });
});
