// The git source end to end against `git http-backend` on loopback: refs, tags, pinned commits, no-change polls.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { gitSource } from '../../server/sources/git.ts';
import { sourceOptions } from '../../server/sources/index.ts';
import { pinsOf } from '../../server/sources/net.ts';
import { FetchError, type Fetched, type FetchLimits, isUnchanged } from '../../server/sources/types.ts';
import { type GitServer, startGitServer } from '../support/git-server.ts';
import { closedPort } from '../support/registry.ts';
import { selfSignedCert } from '../support/tls.ts';
import { asText } from '../support/tree.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-git-src-'));
let repo: GitServer;
let first: string;

const TREE = {
  'base/kustomization.yaml': 'resources: [app.yaml]\n',
  'base/app.yaml': 'kind: ConfigMap\n',
  'sites/berlin/kustomization.yaml': 'resources: [../../base]\n',
};

before(async () => {
  repo = await startGitServer();
  first = repo.commit(TREE, 'first');
});
after(async () => {
  await repo.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  repo.requests.length = 0;
  repo.failWith = null;
  repo.auth = null;
});

function source(
  ref?: string,
  extra: { limits?: Partial<FetchLimits>; authFile?: string; tlsPin?: string; url?: string } = {},
) {
  const url = extra.url ?? repo.url;
  const cfg = {
    kind: 'git' as const,
    url,
    path: 'sites/berlin',
    ...(extra.authFile ? { authFile: extra.authFile } : {}),
    ...(extra.tlsPin ? { tlsPin: extra.tlsPin } : {}),
  };
  return gitSource(url, ref, sourceOptions(cfg, { fetchTimeout: 5000, limits: extra.limits ?? {} }));
}

async function rejection(p: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(p, (err: unknown) => err instanceof FetchError && pattern.test(err.message));
}

test('git source fetches the whole tree of the default branch and records the commit', async () => {
  const got = await source().fetch();
  assert.deepEqual(asText(got.files), TREE);
  assert.equal(got.version, first);
});

test('git source answers unchanged from a ref check alone when the branch did not move', async () => {
  const s = source('main');
  const got = await s.fetch();
  repo.requests.length = 0;
  const again = await s.fetch({ token: got.token });
  assert.ok(isUnchanged(again));
  // Protocol v2: the capability advertisement and one ls-refs; no pack was asked for or sent.
  assert.deepEqual(
    repo.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`),
    ['GET /fleet.git/info/refs', 'POST /fleet.git/git-upload-pack'],
  );
  const bytes = repo.requests.reduce((n, r) => n + r.bytesIn + r.bytesOut, 0);
  assert.ok(bytes < 600, `ref check moved ${bytes} bytes of payload`);
});

test('git source picks up a new commit on the branch', async () => {
  const s = source('main');
  const before = await s.fetch();
  const second = repo.commit({ ...TREE, 'base/app.yaml': 'kind: ConfigMap\n# v2\n' }, 'second');
  const got = await s.fetch({ token: before.token });
  assert.ok(!isUnchanged(got));
  assert.equal(got.version, second);
  assert.equal(asText(got.files)['base/app.yaml'], 'kind: ConfigMap\n# v2\n');
});

test('git source follows an annotated tag to its commit and picks up the tag when it moves', async () => {
  const tagged = repo.tag('release');
  const s = source('release');
  const got = await s.fetch();
  assert.equal(got.version, tagged);
  assert.ok(isUnchanged(await s.fetch({ token: got.token })));
  const moved = repo.commit({ ...TREE, 'base/extra.yaml': 'kind: Secret\n' }, 'third');
  repo.tag('release');
  const after = (await s.fetch({ token: got.token })) as Fetched;
  assert.equal(after.version, moved);
  assert.ok('base/extra.yaml' in after.files);
  assert.equal((await source('refs/tags/release').fetch()).version, moved);
});

test('git source keeps a pinned commit after the branch moves, and a no-change poll asks nothing', async () => {
  const s = source(first);
  const got = await s.fetch();
  assert.equal(got.version, first);
  assert.deepEqual(asText(got.files), TREE);
  repo.commit({ 'other.yaml': 'x' }, 'moving on');
  repo.requests.length = 0;
  assert.ok(isUnchanged(await s.fetch({ token: got.token })));
  assert.equal(repo.requests.length, 0);
  await rejection(source('a'.repeat(40)).fetch(), /commit a{40} is not on the server/);
});

test('git source names a branch or tag that does not exist', async () => {
  await rejection(source('nope').fetch(), /fleet\.git \(nope\): no branch or tag named "nope" on the server/);
});

test('git source follows a symbolic link inside the repository and refuses one that leaves it, by name', async () => {
  repo.commit(
    { 'dev/app.yaml': 'x', 'dev/alias.yaml': { symlink: 'app.yaml' }, shared: { symlink: 'dev' } },
    'inside',
    'inside',
  );
  const got = asText((await source('inside').fetch()).files);
  assert.equal(got['dev/alias.yaml'], 'x');
  assert.equal(got['shared/app.yaml'], 'x');
  repo.commit({ 'dev/app.yaml': 'x', 'dev/passwd.yaml': { symlink: '/etc/passwd' } }, 'link', 'links');
  await rejection(
    source('links').fetch(),
    /"dev\/passwd\.yaml" is a symbolic link to "\/etc\/passwd", outside the revision/,
  );
});

test('git source enforces the file count and total size limits, and keeps a large file no build reads', async () => {
  repo.commit(
    Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}.yaml`, 'x'.repeat(i * 100)])),
    'many',
    'many',
  );
  await rejection(source('many', { limits: { maxFiles: 10 } }).fetch(), /more than 10 files/);
  await rejection(source('many', { limits: { maxTotalBytes: 500 } }).fetch(), /more than 500 bytes/);
  const got = await source('many', { limits: { maxFileBytes: 500 } }).fetch();
  assert.equal(asText(got.files)['f11.yaml'], 'x'.repeat(1100));
});

test('git source authenticates with the credentials file and says so when they are missing', async () => {
  repo.auth = { username: 'fleet', password: 'hunter2' };
  await rejection(
    source('main').fetch(),
    /access denied \(401\): check the credentials in OUTPOST_SOURCE_AUTH_FILE/,
  );
  const authFile = path.join(tmp, 'git-credentials');
  writeFileSync(authFile, 'fleet:hunter2\n');
  assert.ok((await source('main', { authFile }).fetch()).version);
});

test('git source reports a server that is down or failing', async () => {
  const port = await closedPort();
  await rejection(
    source('main', { url: `http://127.0.0.1:${port}/fleet.git` }).fetch(),
    /connection refused/,
  );
  repo.failWith = 500;
  await rejection(source('main').fetch(), /fleet\.git \(main\): the server answered 500/);
});

test('git source clones over HTTPS from a host whose pinned key matches, and refuses a wrong pin', async () => {
  const { key, cert } = selfSignedCert(tmp, { cn: 'git.fleet.test', days: 2 });
  const secure = await startGitServer({
    tls: { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') },
  });
  try {
    const sha = secure.commit(TREE, 'over tls');
    const pin = pinsOf(Buffer.from(new X509Certificate(readFileSync(cert)).raw)).spki;
    const got = await source('main', { url: secure.url, tlsPin: pin }).fetch();
    assert.equal(got.version, sha);
    const wrong = `sha256//${Buffer.alloc(32, 1).toString('base64')}`;
    await rejection(
      source('main', { url: secure.url, tlsPin: wrong }).fetch(),
      /does not match OUTPOST_SOURCE_TLS_PIN/,
    );
    assert.ok(secure.requests.length > 0 && secure.requests.length < 6);
  } finally {
    await secure.close();
  }
});
