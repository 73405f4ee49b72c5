// The oci source end to end against Debian's docker-registry on loopback, artifacts pushed with plain HTTP.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sourceOptions } from '../../server/sources/index.ts';
import { ociSource, parseOciUrl, SIGNATURE_ANNOTATION } from '../../server/sources/oci.ts';
import { writeTarGz } from '../../server/sources/tar.ts';
import { FetchError, type FetchLimits, isUnchanged } from '../../server/sources/types.ts';
import { VerifyError } from '../../server/sources/verify.ts';
import { type KeyPair, makeKeyPair, minisignSign } from '../support/minisign.ts';
import {
  type AuthFront,
  closedPort,
  pushArtifact,
  type Registry,
  startAuthFront,
  startRegistry,
} from '../support/registry.ts';
import { rejectsWith } from '../support/rejects.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-oci-src-'));
let registry: Registry;
let front: AuthFront;
let fleet: KeyPair;
let stranger: KeyPair;
let n = 0;

before(async () => {
  registry = await startRegistry();
  front = await startAuthFront(registry.base, 'none');
  fleet = makeKeyPair(tmp, 'fleet');
  stranger = makeKeyPair(tmp, 'stranger');
});
after(async () => {
  await front.close();
  await registry.close();
  rmSync(tmp, { recursive: true, force: true });
});

const SITE = { 'sites/berlin/app.yaml': 'kind: ConfigMap\n', 'base/kustomization.yaml': 'resources: []\n' };

/** A bundle and its minisign signature text (signed by `keys`, or none). */
function bundle(files: Record<string, string>, comment: string, keys: KeyPair | null = fleet) {
  const file = path.join(tmp, `b${++n}.tar.gz`);
  writeFileSync(file, writeTarGz(files));
  return { gz: readFileSync(file), sig: keys ? minisignSign(keys, file, comment) : null };
}

async function push(repo: string, tag: string, b: { gz: Buffer; sig: string | null }, opts = {}) {
  return pushArtifact(registry.base, repo, tag, b.gz, b.sig ? { [SIGNATURE_ANNOTATION]: b.sig } : {}, opts);
}

function source(url: string, extra: { limits?: Partial<FetchLimits>; authFile?: string } = {}) {
  const cfg = {
    kind: 'oci' as const,
    url,
    path: '.',
    ...(extra.authFile ? { authFile: extra.authFile } : {}),
  };
  return ociSource(
    url,
    sourceOptions(cfg, { trustedKeys: [fleet.line], fetchTimeout: 5000, limits: extra.limits ?? {} }),
  );
}

const rejection = (
  p: Promise<unknown>,
  pattern: RegExp,
  kind: typeof FetchError | typeof VerifyError = FetchError,
) => rejectsWith(p, pattern, kind);

test('parseOciUrl reads tags, digests and the scheme (https unless loopback or oci+http)', () => {
  assert.deepEqual(parseOciUrl('oci://ghcr.io/acme/fleet/berlin:v3'), {
    registry: 'https://ghcr.io',
    repository: 'acme/fleet/berlin',
    reference: 'v3',
    byDigest: false,
  });
  assert.equal(parseOciUrl('oci://127.0.0.1:5000/fleet').reference, 'latest');
  assert.equal(parseOciUrl('oci://127.0.0.1:5000/fleet').registry, 'http://127.0.0.1:5000');
  assert.equal(parseOciUrl('oci+http://registry.lan:5000/fleet:x').registry, 'http://registry.lan:5000');
  assert.equal(parseOciUrl(`oci://r.example/f@sha256:${'a'.repeat(64)}`).byDigest, true);
  assert.throws(() => parseOciUrl('oci://r.example/Fleet:x'), /not a valid repository name/);
  assert.throws(() => parseOciUrl('https://r.example/f'), /looks like oci:\/\//);
});

test('oci source fetches, verifies and unpacks a Flux-style artifact by tag', async () => {
  const digest = await push('fleet/site', 'prod', bundle(SITE, 'version=3'));
  const got = await source(`oci://${registry.host}/fleet/site:prod`).fetch();
  assert.deepEqual(got.files, SITE);
  assert.equal(got.version, '3');
  assert.equal(got.signer, fleet.id);
  assert.equal(got.token, digest);
});

test('oci source answers unchanged from a single HEAD when the tag did not move, then picks up a new push', async () => {
  await push('fleet/poll', 'prod', bundle(SITE, 'version=1'));
  const s = source(`oci://${front.host}/fleet/poll:prod`);
  const got = await s.fetch();
  front.requests.length = 0;
  assert.ok(isUnchanged(await s.fetch({ token: got.token })));
  assert.deepEqual(
    front.requests.map((r) => `${r.method} ${r.path}`),
    ['HEAD /v2/fleet/poll/manifests/prod'],
  );
  await push('fleet/poll', 'prod', bundle({ ...SITE, 'new.yaml': 'kind: Secret\n' }, 'version=2'));
  const next = await s.fetch({ token: got.token });
  assert.ok(!isUnchanged(next));
  assert.equal(next.version, '2');
  assert.ok('new.yaml' in next.files);
});

test('oci source pinned to a digest fetches it, and a no-change poll asks the registry nothing', async () => {
  const digest = await push('fleet/pinned', 'v1', bundle(SITE, 'version=4'));
  const s = source(`oci://${front.host}/fleet/pinned@${digest}`);
  const got = await s.fetch();
  assert.equal(got.version, '4');
  front.requests.length = 0;
  assert.ok(isUnchanged(await s.fetch({ token: got.token })));
  assert.equal(front.requests.length, 0);
});

test('oci source refuses an artifact without the signature annotation, and one signed by an unknown key', async () => {
  await push('fleet/unsigned', 'prod', bundle(SITE, '', null));
  await rejection(
    source(`oci://${registry.host}/fleet/unsigned:prod`).fetch(),
    /no signature found \(the manifest annotation io\.outpost\.minisig\)/,
    VerifyError,
  );
  await push('fleet/stranger', 'prod', bundle(SITE, 'version=1', stranger));
  await rejection(
    source(`oci://${registry.host}/fleet/stranger:prod`).fetch(),
    new RegExp(`made by key ${stranger.id} which is not trusted`),
    VerifyError,
  );
});

test('oci source refuses a signature that belongs to another bundle', async () => {
  const a = bundle(SITE, 'version=1');
  const b = bundle({ 'evil.yaml': 'kind: Pod\n' }, 'version=1');
  await push('fleet/swapped', 'prod', { gz: b.gz, sig: a.sig });
  await rejection(
    source(`oci://${registry.host}/fleet/swapped:prod`).fetch(),
    /signature does not match the bundle/,
    VerifyError,
  );
});

test('oci source refuses a layer over the download limit before downloading it, and an artifact of the wrong kind', async () => {
  await push('fleet/big', 'prod', bundle({ 'big.yaml': 'x'.repeat(50_000) }, 'version=1'));
  await rejection(
    source(`oci://${registry.host}/fleet/big:prod`, { limits: { maxDownloadBytes: 100 } }).fetch(),
    /the layer is \d+ bytes, over the 100-byte download limit/,
  );
  await push('fleet/image', 'prod', bundle(SITE, 'version=1'), {
    layerMediaType: 'application/vnd.oci.image.layer.v1.tar',
  });
  await rejection(
    source(`oci://${registry.host}/fleet/image:prod`).fetch(),
    /exactly one layer of type application\/vnd\.cncf\.flux\.content\.v1\.tar\+gzip \(found 0\)/,
  );
});

test('oci source reports an unknown tag and a registry that is down', async () => {
  await rejection(
    source(`oci://${registry.host}/fleet/site:nope`).fetch(),
    /fleet\/site:nope: not found in the registry \(404\)/,
  );
  const port = await closedPort();
  await rejection(source(`oci://127.0.0.1:${port}/fleet/site:prod`).fetch(), /connection refused/);
});

test('oci source logs in with Basic credentials when the registry asks for them', async () => {
  await push('fleet/site', 'basic', bundle(SITE, 'version=5'));
  const guarded = await startAuthFront(registry.base, 'basic', { username: 'fleet', password: 'hunter2' });
  try {
    const url = `oci://${guarded.host}/fleet/site:basic`;
    await rejection(source(url).fetch(), /the registry wants a user name and password/);
    const authFile = path.join(tmp, 'registry-basic');
    writeFileSync(authFile, 'fleet:hunter2');
    assert.equal((await source(url, { authFile }).fetch()).version, '5');
  } finally {
    await guarded.close();
  }
});

test('oci source gets a Bearer token from the challenge, keeps it, and a no-change poll is then one HEAD', async () => {
  await push('fleet/site', 'bearer', bundle(SITE, 'version=6'));
  const guarded = await startAuthFront(registry.base, 'bearer', { username: 'fleet', password: 'hunter2' });
  try {
    const url = `oci://${guarded.host}/fleet/site:bearer`;
    const authFile = path.join(tmp, 'registry-bearer');
    writeFileSync(authFile, 'fleet:hunter2');
    const s = source(url, { authFile });
    const got = await s.fetch();
    assert.equal(got.version, '6');
    const tokenCalls = guarded.requests.filter((r) => r.path.startsWith('/token'));
    assert.equal(tokenCalls.length, 1);
    assert.match(tokenCalls[0]?.path ?? '', /service=test-registry&scope=repository%3Afleet%2Fsite%3Apull/);
    guarded.requests.length = 0;
    assert.ok(isUnchanged(await s.fetch({ token: got.token })));
    assert.equal(guarded.requests.length, 1);
    assert.match(guarded.requests[0]?.authorization ?? '', /^Bearer tok-/);
    writeFileSync(authFile, 'fleet:wrong');
    await rejection(source(url, { authFile }).fetch(), /token service .* refused \(401\)/);
  } finally {
    await guarded.close();
  }
});
