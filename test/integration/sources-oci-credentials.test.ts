// Where the oci source sends the auth file's credentials: only to the registry's own challenges, only over https.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sourceOptions } from '../../server/sources/index.ts';
import { pinsOf } from '../../server/sources/net.ts';
import { ociSource, SIGNATURE_ANNOTATION } from '../../server/sources/oci.ts';
import { writeTarGz } from '../../server/sources/tar.ts';
import { FetchError } from '../../server/sources/types.ts';
import { type KeyPair, makeKeyPair, minisignSign } from '../support/minisign.ts';
import { type Recorder, startRecorder } from '../support/recorder.ts';
import { pushArtifact, type Registry, startAuthFront, startRegistry } from '../support/registry.ts';
import { selfSignedCert } from '../support/tls.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-oci-cred-'));
const authFile = path.join(tmp, 'registry-credentials');
let registry: Registry;
let fleet: KeyPair;
/** A foreign token service: it records who calls and would hand out any token. */
let realm: Recorder;

before(async () => {
  registry = await startRegistry();
  fleet = makeKeyPair(tmp, 'fleet');
  writeFileSync(authFile, 'fleet:hunter2');
  realm = await startRecorder((_req, res) =>
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"token":"stolen"}'),
  );
});
after(async () => {
  await realm.close();
  await registry.close();
  rmSync(tmp, { recursive: true, force: true });
});

function source(url: string, tlsPin?: string) {
  const cfg = { kind: 'oci' as const, url, path: '.', authFile, ...(tlsPin ? { tlsPin } : {}) };
  return ociSource(url, sourceOptions(cfg, { trustedKeys: [fleet.line], fetchTimeout: 5000 }));
}

async function rejection(p: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(
      err instanceof FetchError,
      `expected FetchError, got ${(err as Error).name}: ${(err as Error).message}`,
    );
    assert.match(err.message, pattern);
    return true;
  });
}

test('oci source sends no credentials to a foreign realm named by a 401 from the host its blob was redirected to', async () => {
  const file = path.join(tmp, 'site.tar.gz');
  writeFileSync(file, writeTarGz({ 'app.yaml': 'kind: ConfigMap\n' }));
  const sig = minisignSign(fleet, file, 'version=1');
  await pushArtifact(registry.base, 'fleet/site', 'redirected', readFileSync(file), {
    [SIGNATURE_ANNOTATION]: sig,
  });
  const blobHost = await startRecorder((_req, res) =>
    res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${realm.url}/token",service="blobs"` }).end(),
  );
  const front = await startAuthFront(registry.base, 'none', undefined, { redirectBlobsTo: blobHost.url });
  realm.requests.length = 0;
  try {
    await rejection(
      source(`oci://${front.host}/fleet/site:redirected`).fetch(),
      new RegExp(
        `${blobHost.url}/v2/fleet/site/blobs/sha256:[0-9a-f]{64}: ${blobHost.url} asks for credentials, but Outpost sends them only to the registry ${front.base} itself`,
      ),
    );
    assert.deepEqual(realm.requests, []);
    assert.ok(blobHost.requests.length > 0);
    assert.ok(blobHost.requests.every((r) => r.authorization === undefined));
  } finally {
    await front.close();
    await blobHost.close();
  }
});

test('oci source sends no credentials to a plain-http realm named by an https registry', async () => {
  const { key, cert } = selfSignedCert(tmp, { cn: 'registry.fleet.test', days: 2 });
  const pin = pinsOf(new X509Certificate(readFileSync(cert)).raw).spki;
  const https = await startRecorder(
    (_req, res) =>
      res
        .writeHead(401, { 'WWW-Authenticate': `Bearer realm="${realm.url}/token",service="registry"` })
        .end(),
    { tls: { key: readFileSync(key), cert: readFileSync(cert) } },
  );
  realm.requests.length = 0;
  try {
    const host = new URL(https.url).host;
    await rejection(
      source(`oci+https://${host}/fleet/site:v1`, pin).fetch(),
      new RegExp(
        `oci\\+https://${host}/fleet/site:v1: the registry sends logins to ${realm.url}, which is not https; Outpost sends credentials only over https`,
      ),
    );
    assert.deepEqual(realm.requests, []);
    assert.equal(https.requests.length, 1);
  } finally {
    await https.close();
  }
});
