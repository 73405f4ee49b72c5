// Random secrets and their stored form: only a SHA-256 of a session id, kiosk token or enrollment code is kept.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url: a session id or kiosk token. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** These secrets carry 80+ bits of entropy, so a plain SHA-256 is enough; scrypt is for human passwords. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time comparison (bearer tokens): both sides are hashed first, so their lengths do not leak either. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

// Crockford's base32: no I, L, O or U, so a code read off a log is hard to mistype.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A one-time enrollment code: 16 characters (80 bits) in groups of four, e.g. `7KQ2-M9XD-3VHT-P0RS`. */
export function newEnrollmentCode(): string {
  const bytes = randomBytes(16);
  let s = '';
  for (const b of bytes) s += ALPHABET[b & 31];
  return (s.match(/.{4}/g) as string[]).join('-');
}

/** What is compared: upper case, no spaces or dashes, and the look-alikes O→0, I/L→1. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function hashCode(code: string): string {
  return hashToken(`enrollment:${normalizeCode(code)}`);
}
