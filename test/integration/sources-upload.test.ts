// `outpost bundle create|sign|verify|apply` as a publisher and a technician run them, and the upload source.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { createSource, sourceOptions } from '../../server/sources/index.ts';
import { writeTarGz } from '../../server/sources/tar.ts';
import { FetchError, isUnchanged } from '../../server/sources/types.ts';
import { acceptUpload, uploadSource, uploadsDir } from '../../server/sources/upload.ts';
import { VerifyError } from '../../server/sources/verify.ts';
import { type KeyPair, makeKeyPair, minisignSign, minisignVerify } from '../support/minisign.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'outpost.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-upload-'));
let fleet: KeyPair;
let stranger: KeyPair;
const site = path.join(tmp, 'site');

before(() => {
  fleet = makeKeyPair(tmp, 'fleet');
  stranger = makeKeyPair(tmp, 'stranger');
  for (const [f, c] of Object.entries({
    'sites/berlin/app.yaml': 'kind: ConfigMap\n',
    'base/k.yaml': 'x: 1\n',
  })) {
    mkdirSync(path.dirname(path.join(site, f)), { recursive: true });
    writeFileSync(path.join(site, f), c);
  }
});
after(() => rmSync(tmp, { recursive: true, force: true }));

async function outpost(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, [BIN, 'bundle', ...args], {
      cwd: tmp,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OUTPOST_LOG_LEVEL: 'silent', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('bundle create writes the same tar.gz twice, and tar lists it', async () => {
  const a = await outpost(['create', site, '-o', 'a.tar.gz', '--version', '12']);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /wrote a\.tar\.gz: 2 files, \d+ bytes, version 12/);
  await outpost(['create', site, '-o', 'b.tar.gz', '--version', '12']);
  assert.ok(readFileSync(path.join(tmp, 'a.tar.gz')).equals(readFileSync(path.join(tmp, 'b.tar.gz'))));
  const listed = spawnSync('tar', ['tzf', path.join(tmp, 'a.tar.gz')], { encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  assert.deepEqual(
    listed.stdout
      .trim()
      .split('\n')
      .filter((l) => !l.endsWith('/')),
    ['base/k.yaml', 'sites/berlin/app.yaml'],
  );
  const bad = await outpost(['create', site, '-o', 'c.tar.gz', '--version', 'v1']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--version "v1" is not a whole number/);
});

test('bundle sign makes a signature minisign accepts, and bundle verify accepts it (exit 0)', async () => {
  await outpost(['create', site, '-o', 'signed.tar.gz', '--version', '12']);
  const s = await outpost(['sign', 'signed.tar.gz', '--key', fleet.sec, '--expires', '30d']);
  assert.equal(s.code, 0, s.stderr);
  assert.match(
    s.stdout,
    new RegExp(`signed signed\\.tar\\.gz with key ${fleet.id} \\(version=12 expires=\\d{4}-`),
  );
  assert.ok(minisignVerify(fleet.pub, path.join(tmp, 'signed.tar.gz')));
  const v = await outpost(['verify', 'signed.tar.gz', '--pubkey', fleet.pub]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, new RegExp(`^valid: version 12, signed by key ${fleet.id}, expires .*, 2 files`));
});

test('bundle verify accepts a tar-made bundle signed by minisign itself', async () => {
  const file = path.join(tmp, 'tarmade.tar.gz');
  spawnSync('tar', ['czf', file, '-C', site, '.']);
  minisignSign(fleet, file, 'version=13');
  const v = await outpost(['verify', file, '--pubkey', fleet.pub]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /valid: version 13/);
});

test('bundle verify exits 1 and says why for a wrong key, a missing signature and a changed bundle', async () => {
  const file = path.join(tmp, 'checked.tar.gz');
  writeFileSync(file, writeTarGz({ 'a.yaml': 'a' }));
  minisignSign(stranger, file, 'version=1');
  let v = await outpost(['verify', file, '--pubkey', fleet.pub]);
  assert.equal(v.code, 1);
  assert.match(
    v.stderr,
    new RegExp(
      `^invalid: bundle .*checked\\.tar\\.gz: signature was made by key ${stranger.id} which is not trusted`,
    ),
  );
  minisignSign(fleet, file, 'version=1');
  writeFileSync(file, writeTarGz({ 'a.yaml': 'changed' }));
  v = await outpost(['verify', file, '--pubkey', fleet.pub]);
  assert.equal(v.code, 1);
  assert.match(v.stderr, /signature does not match the bundle/);
  rmSync(`${file}.minisig`);
  v = await outpost(['verify', file, '--pubkey', fleet.pub]);
  assert.equal(v.code, 1);
  assert.match(v.stderr, /no signature found \(.*checked\.tar\.gz\.minisig\)/);
});

test('bundle apply stores a verified bundle with its signature in the uploads folder, and refuses a bad one', async () => {
  const dataDir = path.join(tmp, 'apply-data');
  const env = { OUTPOST_DATA_DIR: dataDir, OUTPOST_TRUSTED_KEYS: fleet.pub, OUTPOST_DEMO: '1' };
  const file = path.join(tmp, 'apply.tar.gz');
  writeFileSync(file, writeTarGz({ 'sites/berlin/app.yaml': 'kind: ConfigMap\n', 'base/k.yaml': 'x: 1\n' }));
  minisignSign(stranger, file, 'version=21');
  const refused = await outpost(['apply', 'apply.tar.gz'], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /which is not trusted/);
  assert.throws(() => readdirSync(uploadsDir(dataDir)));
  minisignSign(fleet, file, 'version=21');
  const ok = await outpost(['apply', 'apply.tar.gz'], env);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(
    ok.stdout,
    new RegExp(`accepted apply\\.tar\\.gz: version 21, signed by key ${fleet.id}, 2 files`),
  );
  assert.deepEqual(
    readdirSync(uploadsDir(dataDir))
      .sort()
      .map((f) => f.replace(/[0-9a-f]{12}/, 'H')),
    ['v21-H.tar.gz', 'v21-H.tar.gz.label.json', 'v21-H.tar.gz.minisig'],
  );
  const fromConfig = createSource(
    { kind: 'upload', url: uploadsDir(dataDir), path: '.' },
    { trustedKeys: [fleet.line] },
  );
  const fetched = await fromConfig.fetch();
  assert.equal(fetched.version, '21');
  // Named as it was uploaded (not as it is kept), and by whom: the shell user behind the CLI.
  assert.deepEqual(fetched.label, { uploadName: 'apply.tar.gz', uploadedBy: `cli:${userInfo().username}` });
});

test('upload source serves the highest verified version, answers unchanged, and skips a bad upload', async () => {
  const dataDir = path.join(tmp, 'source-data');
  const opts = sourceOptions(
    { kind: 'upload', url: uploadsDir(dataDir), path: '.' },
    { trustedKeys: [fleet.line] },
  );
  const s = uploadSource(uploadsDir(dataDir), opts);
  await assert.rejects(
    s.fetch(),
    (e: unknown) => e instanceof FetchError && /no bundle has been uploaded yet/.test(e.message),
  );
  const make = (version: number, files: Record<string, string>, comment = `version=${version}`) => {
    const file = path.join(tmp, `up-${version}-${comment.length}.tar.gz`);
    writeFileSync(file, writeTarGz(files));
    return { gz: readFileSync(file), sig: minisignSign(fleet, file, comment) };
  };
  const v3 = make(3, { 'v3.yaml': 'x' });
  await acceptUpload(dataDir, v3.gz, v3.sig, 'v3.tar.gz', opts);
  const first = await s.fetch();
  assert.equal(first.version, '3');
  assert.ok(isUnchanged(await s.fetch({ token: first.token })));
  const v5 = make(5, { 'v5.yaml': 'x' });
  await acceptUpload(dataDir, v5.gz, v5.sig, 'v5.tar.gz', opts);
  const v4 = make(4, { 'v4.yaml': 'x' });
  const stored4 = await acceptUpload(dataDir, v4.gz, v4.sig, 'v4.tar.gz', opts);
  utimesSync(stored4.file, new Date(), new Date(Date.now() + 5000)); // uploaded last, but older
  const newest = await s.fetch({ token: first.token });
  assert.ok(!isUnchanged(newest));
  assert.equal(newest.version, '5');
  // An upload that expired after it was accepted is skipped, not fatal.
  const v9 = make(9, { 'v9.yaml': 'x' }, 'version=9 expires=2099-01-01T00:00:00Z');
  const stored9 = await acceptUpload(dataDir, v9.gz, v9.sig, 'v9.tar.gz', opts);
  writeFileSync(
    `${stored9.file}.minisig`,
    minisignSign(fleet, stored9.file, 'version=9 expires=2020-01-01T00:00:00Z'),
  );
  assert.equal((await s.fetch()).version, '5');
  await assert.rejects(
    acceptUpload(dataDir, v9.gz, null, 'nosig.tar.gz', opts),
    (e: unknown) => e instanceof VerifyError && /nosig\.tar\.gz: no signature found/.test(e.message),
  );
});
