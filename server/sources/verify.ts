// Signature policy for bundles: trusted keys, the signed `version=`/`expires=` comment, and the anti-rollback rule.
import { readFileSync } from 'node:fs';
import { dateExists } from '../calendar.ts';
import {
  keyIdHex,
  MinisignError,
  type PublicKey,
  parsePublicKey,
  parseSignature,
  verifySignature,
} from './minisign.ts';

/** A bundle that must not be trusted; `code` names the rule it broke (one message per rule). */
export class VerifyError extends Error {
  readonly code:
    | 'missing-signature'
    | 'no-trusted-keys'
    | 'malformed-signature'
    | 'untrusted-key'
    | 'bad-signature'
    | 'altered-comment'
    | 'no-version'
    | 'bad-expiry'
    | 'expired'
    | 'older-version';
  constructor(code: VerifyError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VerifyError';
    this.code = code;
  }
}

export interface TrustPolicy {
  /** Public keys (parsed, or their base64 lines); any of them may sign. */
  trustedKeys: readonly (PublicKey | string)[];
  /** When false, a bundle without any signature is accepted (and reported as unsigned). */
  requireSignature: boolean;
  /** For tests: what "now" is when checking `expires=`. */
  now?: () => Date;
}

export interface SignedInfo {
  version: number;
  /** Key id as minisign prints it. */
  signer: string;
  expires?: string;
  trustedComment: string;
}

const KEY_LINE = /^RW[A-Za-z0-9+/]{54}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** One OUTPOST_TRUSTED_KEYS entry (or a --pubkey argument) → the base64 key line: the line itself, or a .pub file's. */
export function resolveTrustedKey(entry: string): string {
  const e = entry.trim();
  if (KEY_LINE.test(e)) return parsePublicKey(e).line;
  let text: string;
  try {
    text = readFileSync(e, 'utf8');
  } catch (err) {
    throw new Error(
      `"${e}" is neither a minisign public key nor a readable .pub file (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  }
  try {
    return parsePublicKey(text).line;
  } catch (err) {
    throw new Error(`${e} is not a minisign public key file (${(err as Error).message})`, { cause: err });
  }
}

/** The signed comment's `key=value` pairs; `version` and `expires` are the ones Outpost reads. */
export function parseTrustedComment(comment: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of comment.split(/\s+/)) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    // The first of a key wins; own keys only, so `constructor=` is read like any other and `__proto__=` is dropped.
    if (eq > 0 && key !== '__proto__' && !Object.hasOwn(out, key)) out[key] = pair.slice(eq + 1);
  }
  return out;
}

function keysOf(policy: TrustPolicy): PublicKey[] {
  return policy.trustedKeys.map((k) => (typeof k === 'string' ? parsePublicKey(k) : k));
}

/**
 * Verifies a bundle's minisign signature and signed comment. Returns null for an unsigned bundle when the
 * policy allows it; throws VerifyError otherwise. `sigLabel` names where the signature was looked for.
 */
export function verifyBundleSignature(
  label: string,
  bundle: Buffer,
  sigText: string | null,
  sigLabel: string,
  policy: TrustPolicy,
): SignedInfo | null {
  if (sigText === null) {
    if (!policy.requireSignature) return null;
    throw new VerifyError(
      'missing-signature',
      `bundle ${label}: no signature found (${sigLabel}); unsigned bundles are refused while OUTPOST_REQUIRE_SIGNATURE is on`,
    );
  }
  const keys = keysOf(policy);
  let sig: ReturnType<typeof parseSignature>;
  try {
    sig = parseSignature(sigText);
  } catch (err) {
    throw new VerifyError(
      'malformed-signature',
      `bundle ${label}: ${sigLabel} is not a minisign signature (${(err as Error).message})`,
      { cause: err },
    );
  }
  if (keys.length === 0) {
    throw new VerifyError(
      'no-trusted-keys',
      `bundle ${label}: signed by key ${keyIdHex(sig.keyId)}, but no trusted keys are configured (set OUTPOST_TRUSTED_KEYS)`,
    );
  }
  let key: PublicKey;
  try {
    key = verifySignature(bundle, sig, keys);
  } catch (err) {
    const code = (err as MinisignError).code;
    if (code === 'key-mismatch') {
      throw new VerifyError(
        'untrusted-key',
        `bundle ${label}: signature was made by key ${keyIdHex(sig.keyId)} which is not trusted (trusted: ${keys.map((k) => keyIdHex(k.keyId)).join(', ')})`,
        { cause: err },
      );
    }
    if (code === 'bad-comment-signature') {
      throw new VerifyError(
        'altered-comment',
        `bundle ${label}: the signed comment in ${sigLabel} was altered (it no longer matches its signature)`,
        { cause: err },
      );
    }
    if (err instanceof MinisignError) {
      throw new VerifyError(
        'bad-signature',
        `bundle ${label}: signature does not match the bundle (it was changed after signing, or ${sigLabel} belongs to another file)`,
        { cause: err },
      );
    }
    throw err;
  }
  const fields = parseTrustedComment(sig.trustedComment);
  const version = fields.version;
  if (version === undefined || !/^\d{1,15}$/.test(version)) {
    throw new VerifyError(
      'no-version',
      `bundle ${label}: the signed comment "${sig.trustedComment}" has no version=<integer> (sign with -t "version=N")`,
    );
  }
  const info: SignedInfo = {
    version: Number(version),
    signer: keyIdHex(key.keyId),
    trustedComment: sig.trustedComment,
  };
  if (fields.expires !== undefined) {
    const at = Date.parse(fields.expires);
    if (!RFC3339.test(fields.expires) || !dateExists(fields.expires) || Number.isNaN(at)) {
      throw new VerifyError(
        'bad-expiry',
        `bundle ${label}: signed expires="${fields.expires}" is not an RFC 3339 time such as 2027-01-31T00:00:00Z`,
      );
    }
    const now = (policy.now ?? (() => new Date()))();
    if (at <= now.getTime()) {
      throw new VerifyError(
        'expired',
        `bundle ${label}: signature expired at ${fields.expires} (it is now ${now.toISOString()}); ask for a freshly signed bundle`,
      );
    }
    info.expires = fields.expires;
  }
  return info;
}

/**
 * The anti-rollback rule, pure: a verified version lower than the highest one ever verified is refused
 * (equal is fine: the same release fetched again). Returns the error to record, or null when acceptable.
 */
export function checkVersion(
  label: string,
  candidate: number,
  highestVerified: number | null | undefined,
): VerifyError | null {
  if (highestVerified === null || highestVerified === undefined || candidate >= highestVerified) return null;
  return new VerifyError(
    'older-version',
    `bundle ${label}: version ${candidate} is older than version ${highestVerified}, the highest already verified (a rollback is refused)`,
  );
}
