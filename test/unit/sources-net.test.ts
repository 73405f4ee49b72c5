// TLS pinning of the source host: a pin (key or certificate hash) replaces CA trust, a wrong one refuses to talk.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { hostKey, pinMatches, pinsOf, request } from '../../server/sources/net.ts';
import { parsePins } from '../../server/sources/pins.ts';
import { FetchError } from '../../server/sources/types.ts';
import { openssl, selfSignedCert } from '../support/tls.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-tls-'));
let server: https.Server;
let url: string;
let certDer: Buffer;
let opensslFingerprint: string;
const received: string[] = [];

before(async () => {
  const { key, cert } = selfSignedCert(tmp, { cn: 'fleet.test', days: 2, altNames: 'IP:127.0.0.1' });
  certDer = Buffer.from(new X509Certificate(readFileSync(cert)).raw);
  opensslFingerprint = openssl('x509', '-in', cert, '-noout', '-fingerprint', '-sha256')
    .trim()
    .split('=')[1] as string;
  server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    received.push(req.url ?? '');
    res.end('bundle');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/site.tar.gz`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

const base = () => ({ timeoutMs: 5000, maxBytes: 1024, pinHost: hostKey(new URL(url)) });

test('parsePins reads curl-style key pins and openssl certificate fingerprints, and refuses anything else', () => {
  const { spki } = pinsOf(certDer);
  const pins = parsePins(`${spki}, ${opensslFingerprint}`);
  assert.deepEqual(
    pins.map((p) => p.kind),
    ['spki', 'cert'],
  );
  assert.ok(pinMatches(certDer, [pins[0] as (typeof pins)[0]]));
  assert.ok(pinMatches(certDer, [pins[1] as (typeof pins)[0]]));
  assert.throws(
    () => parsePins('md5:abcd'),
    /is neither sha256\/\/<base64 of the public key> nor a sha256 certificate fingerprint/,
  );
});

test('a pinned source talks to a self-signed host whose key matches the pin', async () => {
  const res = await request(url, { ...base(), pins: parsePins(pinsOf(certDer).spki) });
  assert.equal(res.body.toString(), 'bundle');
  const byCert = await request(url, { ...base(), pins: parsePins(opensslFingerprint) });
  assert.equal(byCert.status, 200);
});

test('a pinned source refuses a host whose certificate does not match, before sending the request', async () => {
  received.length = 0;
  const wrong = `sha256//${Buffer.alloc(32, 7).toString('base64')}`;
  await assert.rejects(
    request(url, { ...base(), pins: parsePins(wrong) }),
    (err: unknown) =>
      err instanceof FetchError &&
      err.message.includes("the server's certificate does not match OUTPOST_SOURCE_TLS_PIN") &&
      err.message.includes(pinsOf(certDer).spki),
  );
  assert.deepEqual(received, []);
});

test('without a pin the self-signed host is refused by normal certificate validation', async () => {
  await assert.rejects(
    request(url, base()),
    (err: unknown) => err instanceof FetchError && /self-signed/.test(err.message),
  );
});
