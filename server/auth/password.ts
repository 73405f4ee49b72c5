// Password hashing with scrypt: the parameters travel with each hash, so they can be raised later.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { AccessError } from './access-error.ts';

/** scrypt's work factors. N is the CPU/memory cost (a power of two), r the block size, p the parallelism. */
export interface PasswordCost {
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt setting: N=2^17, r=8, p=1 — about 0.3 s of CPU and 128 MiB per hash. */
export const PRODUCTION_COST: PasswordCost = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

/** scrypt needs 128·N·r bytes; Node refuses more than `maxmem`, whose default (32 MiB) is too small for N=2^17. */
export const MAXMEM = 256 * 1024 * 1024;

const KEY_LEN = 32;
const SALT_LEN = 16;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;

export class PasswordError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PasswordError';
  }
}

/** Why a password is not acceptable; null when it is. */
export function passwordProblem(password: string): AccessError | null {
  if (password.length < PASSWORD_MIN) return new AccessError('password-short', { n: PASSWORD_MIN });
  if (password.length > PASSWORD_MAX) return new AccessError('password-long', { n: PASSWORD_MAX });
  return null;
}

function derive(password: string, salt: Buffer, cost: PasswordCost): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // The async form runs on libuv's thread pool, so a login never blocks the event loop for 0.3 s.
    scrypt(password.normalize('NFC'), salt, KEY_LEN, { ...cost, maxmem: MAXMEM }, (err, key) => {
      if (err) reject(new PasswordError(`scrypt failed: ${err.message}`, { cause: err }));
      else resolve(key);
    });
  });
}

/** `scrypt$N$r$p$salt$key` (salt and key in base64url). */
export async function hashPassword(password: string, cost: PasswordCost = PRODUCTION_COST): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface Parsed {
  cost: PasswordCost;
  salt: Buffer;
  key: Buffer;
}

export function parseHash(encoded: string): Parsed | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const valid =
    Number.isInteger(N) &&
    N >= 2 &&
    (N & (N - 1)) === 0 &&
    Number.isInteger(r) &&
    r >= 1 &&
    Number.isInteger(p) &&
    p >= 1 &&
    128 * N * r * p <= MAXMEM;
  if (!valid) return null;
  const salt = Buffer.from(parts[4] as string, 'base64url');
  const key = Buffer.from(parts[5] as string, 'base64url');
  if (salt.length < SALT_LEN || key.length !== KEY_LEN) return null;
  return { cost: { N, r, p }, salt, key };
}

/** Compares in constant time; a malformed stored hash never matches. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.cost);
  return timingSafeEqual(key, parsed.key);
}

/** True when the hash was made with other parameters than `cost`: rehash it at the next successful login. */
export function needsRehash(encoded: string, cost: PasswordCost): boolean {
  const parsed = parseHash(encoded);
  return !parsed || parsed.cost.N !== cost.N || parsed.cost.r !== cost.r || parsed.cost.p !== cost.p;
}
