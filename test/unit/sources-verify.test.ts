// The bundle signature policy: trusted keys, version and expiry in the signed comment, anti-rollback.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  checkVersion,
  parseTrustedComment,
  resolveTrustedKey,
  type TrustPolicy,
  VerifyError,
  verifyBundleSignature,
} from '../../server/sources/verify.ts';
import { makeKeyPair, minisignSign } from '../support/minisign.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-policy-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const fleet = makeKeyPair(tmp, 'fleet');
const next = makeKeyPair(tmp, 'next');
const stranger = makeKeyPair(tmp, 'stranger');
const file = path.join(tmp, 'site.tar.gz');
writeFileSync(file, 'bundle bytes');
const data = readFileSync(file);
const LABEL = 'https://fleet.example/site.tar.gz';
const SIG = `${LABEL}.minisig`;
const NOW = new Date('2026-11-20T12:00:00Z');
const policy: TrustPolicy = { trustedKeys: [fleet.line, next.line], requireSignature: true, now: () => NOW };

function verify(comment: string, keys = fleet, p = policy) {
  return verifyBundleSignature(LABEL, data, minisignSign(keys, file, comment), SIG, p);
}

function rejected(code: VerifyError['code'], message: RegExp) {
  return (err: unknown) =>
    err instanceof VerifyError &&
    err.code === code &&
    message.test(err.message) &&
    err.message.includes(LABEL);
}

test('bundle signature check returns version, signer and expiry from the signed comment', () => {
  const info = verify('version=12 expires=2027-01-31T00:00:00Z channel=stable');
  assert.deepEqual(info, {
    version: 12,
    signer: fleet.id,
    expires: '2027-01-31T00:00:00Z',
    trustedComment: 'version=12 expires=2027-01-31T00:00:00Z channel=stable',
  });
});

test('bundle signature check accepts any listed key (rotation)', () => {
  assert.equal(verify('version=1', next)?.signer, next.id);
});

test('bundle signature check refuses a missing signature while signatures are required', () => {
  assert.throws(
    () => verifyBundleSignature(LABEL, data, null, SIG, policy),
    rejected(
      'missing-signature',
      /no signature found \(https:\/\/fleet\.example\/site\.tar\.gz\.minisig\).*OUTPOST_REQUIRE_SIGNATURE/,
    ),
  );
});

test('bundle signature check lets an unsigned bundle through only when signatures are turned off', () => {
  assert.equal(verifyBundleSignature(LABEL, data, null, SIG, { ...policy, requireSignature: false }), null);
});

test('bundle signature check refuses a key that is not trusted, naming it and the trusted ones', () => {
  assert.throws(
    () => verify('version=1', stranger),
    rejected(
      'untrusted-key',
      new RegExp(`made by key ${stranger.id} which is not trusted \\(trusted: ${fleet.id}, ${next.id}\\)`),
    ),
  );
});

test('bundle signature check refuses a bundle changed after signing', () => {
  const sig = minisignSign(fleet, file, 'version=1');
  assert.throws(
    () => verifyBundleSignature(LABEL, Buffer.from('other bytes'), sig, SIG, policy),
    rejected('bad-signature', /signature does not match the bundle/),
  );
});

test('bundle signature check refuses an edited signed comment', () => {
  const sig = minisignSign(fleet, file, 'version=1').replace('version=1', 'version=100');
  assert.throws(
    () => verifyBundleSignature(LABEL, data, sig, SIG, policy),
    rejected('altered-comment', /signed comment .* was altered/),
  );
});

test('bundle signature check refuses a garbled signature file', () => {
  assert.throws(
    () => verifyBundleSignature(LABEL, data, '<html>not found</html>', SIG, policy),
    rejected('malformed-signature', /is not a minisign signature/),
  );
});

test('bundle signature check refuses a signed comment without version=<integer>', () => {
  assert.throws(() => verify('release 5'), rejected('no-version', /has no version=<integer>/));
  assert.throws(() => verify('version=5.1'), rejected('no-version', /has no version=<integer>/));
});

test('bundle signature check refuses an expired signature and a malformed expiry', () => {
  assert.throws(
    () => verify('version=3 expires=2026-11-20T11:59:59Z'),
    rejected('expired', /signature expired at 2026-11-20T11:59:59Z \(it is now 2026-11-20T12:00:00\.000Z\)/),
  );
  assert.throws(
    () => verify('version=3 expires=tomorrow'),
    rejected('bad-expiry', /expires="tomorrow" is not an RFC 3339 time/),
  );
});

test('bundle signature check refuses an expiry on a day that does not exist (30 February)', () => {
  assert.throws(
    () => verify('version=3 expires=2030-02-30T00:00:00Z'),
    rejected('bad-expiry', /expires="2030-02-30T00:00:00Z" is not an RFC 3339 time/),
  );
});

test('bundle signature check refuses a signed bundle when no keys are configured', () => {
  assert.throws(
    () => verify('version=3', fleet, { ...policy, trustedKeys: [] }),
    rejected('no-trusted-keys', /no trusted keys are configured \(set OUTPOST_TRUSTED_KEYS\)/),
  );
});

test('checkVersion refuses a version lower than the highest verified and allows equal or newer', () => {
  const err = checkVersion(LABEL, 4, 7);
  assert.ok(
    err && rejected('older-version', /version 4 is older than version 7, the highest already verified/)(err),
  );
  assert.equal(checkVersion(LABEL, 7, 7), null);
  assert.equal(checkVersion(LABEL, 8, 7), null);
  assert.equal(checkVersion(LABEL, 1, null), null);
});

test('parseTrustedComment reads key=value pairs and ignores the rest', () => {
  assert.deepEqual(parseTrustedComment('version=3 note  expires=x version=9 a=b=c'), {
    version: '3',
    expires: 'x',
    a: 'b=c',
  });
});

test('resolveTrustedKey takes a key line or a .pub file and explains a bad entry', () => {
  assert.equal(resolveTrustedKey(fleet.pub), fleet.line);
  assert.equal(resolveTrustedKey(` ${fleet.line} `), fleet.line);
  assert.throws(
    () => resolveTrustedKey('/nonexistent/fleet.pub'),
    /neither a minisign public key nor a readable \.pub file/,
  );
  assert.throws(() => resolveTrustedKey(file), /is not a minisign public key file/);
});

test('parseTrustedComment reads constructor= like any key and drops __proto__=', () => {
  const fields = parseTrustedComment('constructor=a version=3 __proto__=x toString=b');
  assert.deepEqual(Object.entries(fields), [
    ['constructor', 'a'],
    ['version', '3'],
    ['toString', 'b'],
  ]);
  assert.equal(Object.getPrototypeOf(fields), Object.prototype);
});
