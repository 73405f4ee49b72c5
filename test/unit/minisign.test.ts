// minisign format with node:crypto, checked against the real minisign tool in both directions.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  keyIdHex,
  MinisignError,
  parsePublicKey,
  parseSecretKey,
  parseSignature,
  signData,
  verifySignature,
} from '../../server/sources/minisign.ts';
import { makeKeyPair, minisignSign, minisignVerify } from '../support/minisign.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-minisign-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const keys = makeKeyPair(tmp, 'fleet');
const other = makeKeyPair(tmp, 'other');
const file = path.join(tmp, 'bundle.tar.gz');
writeFileSync(file, 'pretend this is a bundle\n');
const data = readFileSync(file);

function code(c: MinisignError['code']) {
  return (err: unknown) => err instanceof MinisignError && err.code === c;
}

test('verifySignature accepts a prehashed signature made by the minisign tool', () => {
  const sig = parseSignature(minisignSign(keys, file, 'version=3 expires=2030-01-01T00:00:00Z'));
  assert.equal(sig.algorithm, 'ED');
  assert.equal(sig.trustedComment, 'version=3 expires=2030-01-01T00:00:00Z');
  const key = verifySignature(data, sig, [other.line, keys.line].map(parsePublicKey));
  assert.equal(keyIdHex(key.keyId), keys.id);
});

test('verifySignature accepts a legacy (non-prehashed) signature made by minisign -l', () => {
  const sig = parseSignature(
    minisignSign(keys, file, 'version=4', { legacy: true, sigFile: `${file}.legacy` }),
  );
  assert.equal(sig.algorithm, 'Ed');
  verifySignature(data, sig, [parsePublicKey(keys.line)]);
});

test('signData output is accepted by minisign -V, prehashed and legacy', () => {
  const sk = parseSecretKey(readFileSync(keys.sec, 'utf8'));
  assert.equal(sk.publicKey.line, keys.line);
  writeFileSync(`${file}.ours`, signData(data, sk, 'version=9 expires=2031-05-01T00:00:00Z\tnote'));
  assert.ok(minisignVerify(keys.pub, file, `${file}.ours`));
  writeFileSync(`${file}.ours-legacy`, signData(data, sk, 'version=9', { legacy: true }));
  assert.ok(minisignVerify(keys.pub, file, `${file}.ours-legacy`));
  // And minisign refuses it for other data: the check above can fail.
  writeFileSync(`${file}.other`, 'other data');
  assert.equal(minisignVerify(keys.pub, `${file}.other`, `${file}.ours`), false);
});

test('parsePublicKey reads a .pub file and a bare key line alike, with minisign key id', () => {
  const fromFile = parsePublicKey(readFileSync(keys.pub, 'utf8'));
  const fromLine = parsePublicKey(keys.line);
  assert.equal(fromFile.line, fromLine.line);
  assert.equal(keyIdHex(fromFile.keyId), keys.id);
  assert.throws(() => parsePublicKey('not a key'), code('malformed'));
});

test('verifySignature rejects data changed after signing', () => {
  const sig = parseSignature(minisignSign(keys, file, 'version=3'));
  assert.throws(
    () => verifySignature(Buffer.from('changed'), sig, [parsePublicKey(keys.line)]),
    code('bad-signature'),
  );
});

test('verifySignature rejects a trusted comment edited after signing', () => {
  const text = minisignSign(keys, file, 'version=3').replace('version=3', 'version=99');
  assert.throws(
    () => verifySignature(data, parseSignature(text), [parsePublicKey(keys.line)]),
    code('bad-comment-signature'),
  );
});

test('verifySignature rejects a signature by a key it was not given, naming that key', () => {
  const sig = parseSignature(minisignSign(other, file, 'version=3'));
  assert.throws(
    () => verifySignature(data, sig, [parsePublicKey(keys.line)]),
    (err: unknown) => code('key-mismatch')(err) && (err as Error).message.includes(other.id),
  );
});

test('parseSignature rejects files that are not minisign signatures', () => {
  assert.throws(() => parseSignature('hello\n'), code('malformed'));
  const good = minisignSign(keys, file, 'version=3').split('\n');
  assert.throws(() => parseSignature([good[0], 'AAAA', good[2], good[3]].join('\n')), code('malformed'));
  assert.throws(() => parseSignature(good.slice(0, 3).join('\n')), code('malformed'));
  assert.throws(
    () => parseSignature([good[0], good[1], 'comment: x', good[3]].join('\n')),
    code('malformed'),
  );
});

test('parseSecretKey refuses a password-protected key and a damaged one', () => {
  const [comment, line] = readFileSync(keys.sec, 'utf8').split('\n') as [string, string];
  const raw = Buffer.from(line, 'base64');
  const encrypted = Buffer.from(raw);
  encrypted.write('Sc', 2, 'latin1');
  assert.throws(
    () => parseSecretKey(`${comment}\n${encrypted.toString('base64')}\n`),
    (err: unknown) => code('unsupported')(err) && /password-protected/.test((err as Error).message),
  );
  const damaged = Buffer.from(raw);
  damaged[100] = (damaged[100] as number) ^ 0xff; // inside the stored public half
  assert.throws(() => parseSecretKey(`${comment}\n${damaged.toString('base64')}\n`), code('malformed'));
});
