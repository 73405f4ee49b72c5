// The http source end to end against a real HTTP server on loopback, with bundles made by tar and signed by minisign.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { httpSource } from '../../server/sources/http.ts';
import { sourceOptions } from '../../server/sources/index.ts';
import { FetchError, type FetchLimits, isUnchanged } from '../../server/sources/types.ts';
import { checkVersion, VerifyError } from '../../server/sources/verify.ts';
import { type BundleServer, startBundleServer } from '../support/http-bundle-server.ts';
import { type KeyPair, makeKeyPair, minisignSign } from '../support/minisign.ts';
import { closedPort } from '../support/registry.ts';
import { rejectsWith } from '../support/rejects.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-http-src-'));
let server: BundleServer;
let fleet: KeyPair;
let stranger: KeyPair;
let n = 0;

before(async () => {
  server = await startBundleServer();
  fleet = makeKeyPair(tmp, 'fleet');
  stranger = makeKeyPair(tmp, 'stranger');
});
after(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  server.misbehave = {};
  server.requests.length = 0;
});

/** Packs `files` with GNU tar exactly as a publisher would (`tar czf b.tar.gz -C dir .`); `extra` adds odd entries. */
function pack(files: Record<string, string>, extra?: (dir: string) => void): string {
  const dir = path.join(tmp, `src-${++n}`);
  for (const [f, c] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), c);
  }
  extra?.(dir);
  const out = path.join(tmp, `bundle-${n}.tar.gz`);
  const r = spawnSync('tar', ['czf', out, '-C', dir, '.'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return out;
}

/** Serves a bundle file and (unless `sign` is false) its minisign signature beside it. */
function publish(name: string, file: string, comment: string, keys: KeyPair | false = fleet): string {
  server.put(name, readFileSync(file));
  if (keys) server.put(`${name}.minisig`, minisignSign(keys, file, comment));
  else server.remove(`${name}.minisig`);
  return server.url(name);
}

function source(url: string, limits: Partial<FetchLimits> = {}, requireSignature = true) {
  return httpSource(
    url,
    sourceOptions(
      { kind: 'http', url, path: '.' },
      {
        trustedKeys: [fleet.line],
        requireSignature,
        fetchTimeout: 2000,
        limits,
      },
    ),
  );
}

const SITE = { 'sites/berlin/app.yaml': 'kind: ConfigMap\n', 'base/kustomization.yaml': 'resources: []\n' };

const rejection = (
  p: Promise<unknown>,
  pattern: RegExp,
  kind: typeof FetchError | typeof VerifyError = FetchError,
) => rejectsWith(p, pattern, kind);

test('http source fetches, verifies and unpacks a tar-made, minisign-signed bundle', async () => {
  const url = publish('site.tar.gz', pack(SITE), 'version=5 expires=2099-01-01T00:00:00Z');
  const got = await source(url).fetch();
  assert.deepEqual(got.files, SITE);
  assert.equal(got.version, '5');
  assert.equal(got.signer, fleet.id);
  assert.equal(got.expires, '2099-01-01T00:00:00Z');
  assert.equal(got.signed, true);
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
    ['GET /site.tar.gz 200', 'GET /site.tar.gz.minisig 200'],
  );
});

test('http source answers unchanged from one conditional GET (304) when the bundle did not change', async () => {
  const url = publish('same.tar.gz', pack(SITE), 'version=1');
  const s = source(url);
  const first = await s.fetch();
  server.requests.length = 0;
  const again = await s.fetch({ token: first.token });
  assert.ok(isUnchanged(again));
  assert.equal(again.token, first.token);
  assert.equal(server.requests.length, 1);
  const [req] = server.requests;
  assert.equal(req?.status, 304);
  assert.ok(req?.headers['if-none-match'] && req.headers['if-modified-since']);
});

test('http source reads unchanged even from a server that ignores conditional requests', async () => {
  const url = publish('plain.tar.gz', pack(SITE), 'version=1');
  const first = await source(url).fetch();
  server.misbehave = { ignoreConditional: true };
  const again = await source(url).fetch({ token: first.token });
  assert.ok(isUnchanged(again));
});

test('http source picks up a new version, and anti-rollback refuses an older one published later', async () => {
  const s = source(publish('rel.tar.gz', pack(SITE), 'version=7'));
  const v7 = await s.fetch();
  assert.ok(isUnchanged(await s.fetch({ token: v7.token })));
  publish('rel.tar.gz', pack({ ...SITE, 'sites/berlin/new.yaml': 'kind: Secret\n' }), 'version=8');
  const changed = await s.fetch({ token: v7.token });
  assert.ok(!isUnchanged(changed));
  assert.equal(changed.version, '8');
  assert.ok('sites/berlin/new.yaml' in changed.files);
  publish('rel.tar.gz', pack(SITE), 'version=6');
  const older = await s.fetch({ token: changed.token });
  assert.ok(!isUnchanged(older));
  const err = checkVersion(s.url, Number(older.version), 8);
  assert.match(err?.message ?? '', /version 6 is older than version 8, the highest already verified/);
});

test('http source refuses a bundle with no signature, and accepts it as unsigned only when allowed', async () => {
  const url = publish('unsigned.tar.gz', pack(SITE), '', false);
  await rejection(source(url).fetch(), /no signature found \(.*unsigned\.tar\.gz\.minisig\)/, VerifyError);
  const got = await source(url, {}, false).fetch();
  assert.equal(got.signed, false);
  assert.equal(got.version, undefined);
});

test('http source refuses a bundle replaced after signing, one signed by an unknown key, and an expired one', async () => {
  const url = publish('bad.tar.gz', pack(SITE), 'version=2');
  server.put('bad.tar.gz', readFileSync(pack({ 'evil.yaml': 'kind: Pod\n' })));
  await rejection(source(url).fetch(), /signature does not match the bundle/, VerifyError);
  publish('bad.tar.gz', pack(SITE), 'version=2', stranger);
  await rejection(
    source(url).fetch(),
    new RegExp(`made by key ${stranger.id} which is not trusted`),
    VerifyError,
  );
  publish('bad.tar.gz', pack(SITE), 'version=2 expires=2020-01-01T00:00:00Z');
  await rejection(source(url).fetch(), /signature expired at 2020-01-01T00:00:00Z/, VerifyError);
});

test('http source reports an upstream that is down, slow, failing or cut off, each in its own words', async () => {
  const down = await closedPort();
  await rejection(
    source(`http://127.0.0.1:${down}/site.tar.gz`).fetch(),
    /site\.tar\.gz: connection refused/,
  );
  const url = publish('flaky.tar.gz', pack(SITE), 'version=1');
  server.misbehave = { delayMs: 1500 };
  await rejection(
    source(url, { timeoutMs: 200 }).fetch(),
    /flaky\.tar\.gz: no complete answer within 0\.2 s \(timed out\)/,
  );
  server.misbehave = { status: 500 };
  await rejection(source(url).fetch(), /flaky\.tar\.gz: the server answered 500 Internal Server Error/);
  server.misbehave = { truncate: true };
  await rejection(
    source(url).fetch(),
    /flaky\.tar\.gz: connection closed after \d+ of \d+ bytes \(truncated download\)/,
  );
  server.misbehave = {};
  await rejection(source(server.url('missing.tar.gz')).fetch(), /missing\.tar\.gz: not found \(404\)/);
});

test('http source refuses a signed bundle that is not a tar.gz', async () => {
  const file = path.join(tmp, 'garbage.tar.gz');
  writeFileSync(file, 'this is not gzip');
  const url = publish('garbage.tar.gz', file, 'version=1');
  await rejection(source(url).fetch(), /bundle .*garbage\.tar\.gz: not a readable gzip file/);
});

test('http source refuses path traversal and symbolic links inside a signed bundle, naming the entry', async () => {
  const evil = path.join(tmp, 'evil.tar.gz');
  const entry = Buffer.alloc(512);
  entry.write('../../etc/cron.d/x', 0);
  for (const [off, v] of [
    [100, '0000644\0'],
    [108, '0000000\0'],
    [116, '0000000\0'],
    [124, '00000000001\0'],
    [136, '00000000000\0'],
    [156, '0'],
    [257, 'ustar\0'],
    [263, '00'],
  ] as const)
    entry.write(v, off);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (entry[i] as number);
  entry.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  writeFileSync(evil, gzipSync(Buffer.concat([entry, Buffer.from('x'), Buffer.alloc(511 + 1024)])));
  await rejection(
    source(publish('evil.tar.gz', evil, 'version=1')).fetch(),
    /entry "\.\.\/\.\.\/etc\/cron\.d\/x" points outside the bundle/,
  );
  const linked = pack(SITE, (dir) => symlinkSync('/etc/shadow', path.join(dir, 'shadow.yaml')));
  await rejection(
    source(publish('link.tar.gz', linked, 'version=1')).fetch(),
    /entry "\.\/shadow\.yaml" is a symbolic link/,
  );
});

test('http source enforces the download size, file size and file count limits', async () => {
  const big = pack({ 'big.yaml': 'x'.repeat(300 * 1024) });
  const url = publish('big.tar.gz', big, 'version=1');
  await rejection(
    source(url, { maxDownloadBytes: 100 }).fetch(),
    /big\.tar\.gz: \d+ bytes is over the 100-byte download limit/,
  );
  await rejection(
    source(url, { maxFileBytes: 1024 }).fetch(),
    /entry "\.\/big\.yaml" is 307200 bytes, over the 1024-byte limit/,
  );
  const many = pack(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}.yaml`, 'x'])));
  await rejection(
    source(publish('many.tar.gz', many, 'version=1'), { maxFiles: 20 }).fetch(),
    /more than 20 files/,
  );
});

test('http source sends the credentials from the auth file', async () => {
  const url = publish('private.tar.gz', pack(SITE), 'version=1');
  const authFile = path.join(tmp, 'token');
  writeFileSync(authFile, 's3cret-token\n');
  const s = httpSource(
    url,
    sourceOptions({ kind: 'http', url, path: '.', authFile }, { trustedKeys: [fleet.line] }),
  );
  await s.fetch();
  assert.ok(server.requests.every((r) => r.headers.authorization === 'Bearer s3cret-token'));
  writeFileSync(authFile, 'fleet:pa:ss');
  await s.fetch();
  assert.equal(
    server.requests.at(-1)?.headers.authorization,
    `Basic ${Buffer.from('fleet:pa:ss').toString('base64')}`,
  );
});
