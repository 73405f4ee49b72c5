// The configuration file and where the store is: the commands that read only the store find it as loadConfig
// does, and leave the errors to loadConfig whenever the value is not a plain path.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../server/config.ts';
import { ConfigError } from '../../server/config-error.ts';
import { loadDataDir, plainDataDir, readConfigFile } from '../../server/config-file.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'outpost-config-file-'));
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('plainDataDir finds the store where loadConfig does: the variable, else the file, else ./data', () => {
  const withFile = file('dir.yaml', 'dataDir: /srv/from-file\n');
  for (const env of [
    {},
    { OUTPOST_DATA_DIR: '/srv/from-env' },
    { OUTPOST_CONFIG: withFile },
    { OUTPOST_CONFIG: withFile, OUTPOST_DATA_DIR: '/srv/from-env' },
    { OUTPOST_CONFIG: withFile, OUTPOST_DATA_DIR: '' },
  ]) {
    assert.equal(plainDataDir(env), loadConfig(env).dataDir, JSON.stringify(env));
  }
  assert.equal(plainDataDir({}), path.resolve('data'));
});

test('plainDataDir leaves a value that is not a plain path to loadConfig, which refuses it', () => {
  for (const text of ['dataDir: 5\n', 'dataDir:\n', "dataDir: ''\n"]) {
    const env = { OUTPOST_CONFIG: file('bad-dir.yaml', text) };
    assert.equal(plainDataDir(env), null, text);
    assert.throws(
      () => loadConfig(env),
      (err: unknown) =>
        err instanceof ConfigError && err.problems.some((p) => p.startsWith('OUTPOST_DATA_DIR:')),
    );
  }
});

test('plainDataDir refuses a broken file as loadConfig does, even when the variable names the store', () => {
  const broken = file('broken.yaml', 'dataDir: [unclosed\n');
  const env = { OUTPOST_CONFIG: broken, OUTPOST_DATA_DIR: '/srv/from-env' };
  assert.throws(() => plainDataDir(env), /OUTPOST_CONFIG: .*broken\.yaml is not valid YAML/);
  assert.throws(() => loadConfig(env), /OUTPOST_CONFIG: .*broken\.yaml is not valid YAML/);
  assert.throws(() => readConfigFile(path.join(dir, 'missing.yaml')), /OUTPOST_CONFIG: cannot read/);
});

test('loadDataDir never throws: a broken or unreadable file leaves the variable or the default', () => {
  const broken = file('broken2.yaml', 'dataDir: [unclosed\n');
  assert.equal(loadDataDir({ OUTPOST_CONFIG: broken }), path.resolve('data'));
  assert.equal(loadDataDir({ OUTPOST_CONFIG: broken, OUTPOST_DATA_DIR: '/srv/x' }), '/srv/x');
  assert.equal(loadDataDir({ OUTPOST_CONFIG: path.join(dir, 'missing.yaml') }), path.resolve('data'));
  assert.equal(loadDataDir({ OUTPOST_CONFIG: file('num.yaml', 'dataDir: 5\n') }), path.resolve('data'));
});
