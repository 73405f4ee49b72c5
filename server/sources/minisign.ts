// minisign keys and signatures (Ed25519, legacy and BLAKE2b-prehashed) with node:crypto: parse, verify, sign.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/** A minisign file or key that cannot be used; `code` says which check failed (tests and callers switch on it). */
export class MinisignError extends Error {
  readonly code: 'malformed' | 'unsupported' | 'key-mismatch' | 'bad-signature' | 'bad-comment-signature';
  constructor(code: MinisignError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MinisignError';
    this.code = code;
  }
}

export interface PublicKey {
  /** 8 raw bytes as stored in the key and signature. */
  keyId: Buffer;
  key: KeyObject;
  /** The base64 line of the .pub file: what OUTPOST_TRUSTED_KEYS holds. */
  line: string;
}

export interface Signature {
  algorithm: 'Ed' | 'ED';
  keyId: Buffer;
  signature: Buffer;
  untrustedComment: string;
  trustedComment: string;
  globalSignature: Buffer;
}

export interface SecretKey {
  keyId: Buffer;
  key: KeyObject;
  publicKey: PublicKey;
}

// DER prefixes that turn raw 32-byte Ed25519 keys into SPKI / PKCS#8 documents node:crypto imports.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const UNTRUSTED = 'untrusted comment: ';
const TRUSTED = 'trusted comment: ';
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** The key id as `minisign` prints it: the 8 bytes read as a little-endian integer, 16 upper-case hex digits. */
export function keyIdHex(keyId: Buffer): string {
  return Buffer.from(keyId).reverse().toString('hex').toUpperCase();
}

function decodeBase64(text: string, size: number, what: string): Buffer {
  const s = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) throw new MinisignError('malformed', `${what} is not base64`);
  const buf = Buffer.from(s, 'base64');
  if (buf.length !== size) {
    throw new MinisignError('malformed', `${what} is ${buf.length} bytes, expected ${size}`);
  }
  return buf;
}

function publicKeyFromRaw(keyId: Buffer, raw: Buffer): PublicKey {
  const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  const line = Buffer.concat([Buffer.from('Ed'), keyId, raw]).toString('base64');
  return { keyId, key, line };
}

/** Accepts the text of a `.pub` file (comment line + key line) or the bare base64 key line. */
export function parsePublicKey(text: string): PublicKey {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const keyLine = lines.find((l) => !l.startsWith(UNTRUSTED));
  if (!keyLine) throw new MinisignError('malformed', 'no public key line found');
  const buf = decodeBase64(keyLine, 42, 'public key');
  if (buf.subarray(0, 2).toString('latin1') !== 'Ed') {
    throw new MinisignError('unsupported', 'public key is not an Ed25519 minisign key');
  }
  return publicKeyFromRaw(buf.subarray(2, 10), buf.subarray(10, 42));
}

/** Parses the four lines of a `.minisig` file. */
export function parseSignature(text: string): Signature {
  const lines = text.split(/\r?\n/);
  const [comment, sigLine, trustedLine, globalLine] = lines;
  if (comment === undefined || !comment.startsWith(UNTRUSTED)) {
    throw new MinisignError('malformed', `the first line must start with "${UNTRUSTED}"`);
  }
  if (sigLine === undefined || sigLine.trim() === '') {
    throw new MinisignError('malformed', 'the signature line is missing');
  }
  const sig = decodeBase64(sigLine, 74, 'signature line');
  const algorithm = sig.subarray(0, 2).toString('latin1');
  if (algorithm !== 'Ed' && algorithm !== 'ED') {
    throw new MinisignError('unsupported', `signature algorithm "${algorithm}" is not Ed25519`);
  }
  if (trustedLine === undefined || !trustedLine.startsWith(TRUSTED)) {
    throw new MinisignError('malformed', `the third line must start with "${TRUSTED}"`);
  }
  // Exactly the bytes minisign signs: the line without its line break; tabs allowed, other controls refused.
  const trustedComment = trustedLine.slice(TRUSTED.length);
  if (CONTROL.test(trustedComment)) {
    throw new MinisignError('malformed', 'the trusted comment contains control characters');
  }
  if (globalLine === undefined || globalLine.trim() === '') {
    throw new MinisignError('malformed', 'the global signature line is missing');
  }
  return {
    algorithm,
    keyId: sig.subarray(2, 10),
    signature: sig.subarray(10, 74),
    untrustedComment: comment.slice(UNTRUSTED.length),
    trustedComment,
    globalSignature: decodeBase64(globalLine, 64, 'global signature line'),
  };
}

function signedMessage(data: Buffer, algorithm: 'Ed' | 'ED'): Buffer {
  return algorithm === 'ED' ? createHash('blake2b512').update(data).digest() : data;
}

/**
 * Checks `sig` against `data` with the one key whose id it names. Throws MinisignError:
 * `key-mismatch` when no given key has the signature's key id, `bad-signature` when the data does not match,
 * `bad-comment-signature` when the trusted comment was altered.
 */
export function verifySignature(data: Buffer, sig: Signature, keys: readonly PublicKey[]): PublicKey {
  const key = keys.find((k) => k.keyId.equals(sig.keyId));
  if (!key) {
    throw new MinisignError(
      'key-mismatch',
      `signature was made by key ${keyIdHex(sig.keyId)}, which is not among the ${keys.length} given`,
    );
  }
  if (!verify(null, signedMessage(data, sig.algorithm), key.key, sig.signature)) {
    throw new MinisignError('bad-signature', 'signature does not match the data');
  }
  const global = Buffer.concat([sig.signature, Buffer.from(sig.trustedComment, 'utf8')]);
  if (!verify(null, global, key.key, sig.globalSignature)) {
    throw new MinisignError('bad-comment-signature', 'the trusted comment does not match its signature');
  }
  return key;
}

/** Reads an unencrypted minisign secret key file (`minisign -G -W`); encrypted ones need minisign itself. */
export function parseSecretKey(text: string): SecretKey {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const keyLine = lines.find((l) => !l.startsWith(UNTRUSTED));
  if (!keyLine) throw new MinisignError('malformed', 'no secret key line found');
  // sig_alg(2) kdf_alg(2) chk_alg(2) salt(32) opslimit(8) memlimit(8) keynum(8) sk(64) chk(32)
  const buf = decodeBase64(keyLine, 158, 'secret key');
  if (buf.subarray(0, 2).toString('latin1') !== 'Ed') {
    throw new MinisignError('unsupported', 'secret key is not an Ed25519 minisign key');
  }
  const kdf = buf.subarray(2, 4);
  if (kdf.toString('latin1') === 'Sc') {
    throw new MinisignError(
      'unsupported',
      'secret key is password-protected; make one without a password (minisign -G -W) or sign with minisign -S',
    );
  }
  if (!kdf.equals(Buffer.alloc(2))) throw new MinisignError('unsupported', 'unknown key derivation function');
  const keyId = buf.subarray(54, 62);
  const seed = buf.subarray(62, 94);
  const storedPublic = buf.subarray(94, 126);
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const derived = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  // The public half stored in the file must be the one the seed derives: catches a damaged or tampered file.
  if (!derived.equals(storedPublic)) {
    throw new MinisignError('malformed', 'secret key is damaged (its public half does not match)');
  }
  return { keyId, key, publicKey: publicKeyFromRaw(keyId, derived) };
}

/** Produces a `.minisig` text that `minisign -V` accepts; prehashed (minisign's default) unless `legacy`. */
export function signData(
  data: Buffer,
  sk: SecretKey,
  trustedComment: string,
  opts: { untrustedComment?: string; legacy?: boolean } = {},
): string {
  if (CONTROL.test(trustedComment)) {
    throw new MinisignError('malformed', 'the trusted comment must be one line of printable text');
  }
  const algorithm = opts.legacy ? 'Ed' : 'ED';
  const signature = sign(null, signedMessage(data, algorithm), sk.key);
  const global = sign(null, Buffer.concat([signature, Buffer.from(trustedComment, 'utf8')]), sk.key);
  const sigLine = Buffer.concat([Buffer.from(algorithm, 'latin1'), sk.keyId, signature]).toString('base64');
  return [
    `${UNTRUSTED}${opts.untrustedComment ?? 'signature from outpost bundle sign'}`,
    sigLine,
    `${TRUSTED}${trustedComment}`,
    global.toString('base64'),
    '',
  ].join('\n');
}
