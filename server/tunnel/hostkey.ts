// Pinned SSH host keys for the support bastion: parse the configured pins, fingerprint and match what the bastion shows.
import { createHash } from 'node:crypto';

/** One accepted host key: the whole public key, or its SHA256 fingerprint as `ssh-keygen -l` prints it. */
export type HostKeyPin =
  | { kind: 'key'; type: string; blob: Buffer; fingerprint: string }
  | { kind: 'fingerprint'; fingerprint: string };

export class HostKeyPinError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HostKeyPinError';
  }
}

const KEY_TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
]);

/**
 * What ssh2 must offer so that the bastion shows the pinned key type: a bastion usually has several host keys
 * and presents the one the client prefers, so an RSA pin would otherwise never match an ed25519 offer.
 */
const ALGORITHMS_FOR_TYPE: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
};

/** `SHA256:` + unpadded base64 of the key blob's SHA-256, exactly what `ssh-keygen -lf` and sshd's log show. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written inside an SSH public key blob (its first length-prefixed string). */
export function blobType(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || blob.length < 4 + len) return null;
  return blob.subarray(4, 4 + len).toString('latin1');
}

function parseOne(entry: string): HostKeyPin {
  const fp = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(entry);
  if (fp) return { kind: 'fingerprint', fingerprint: `SHA256:${fp[1]}` };
  // Accept a bare key line ("ssh-ed25519 AAAA... comment") and a known_hosts / ssh-keyscan line ("host ssh-ed25519 AAAA...").
  const words = entry.split(/\s+/);
  const at = words.findIndex((w) => KEY_TYPES.has(w));
  const type = at >= 0 ? words[at] : undefined;
  const b64 = at >= 0 ? words[at + 1] : undefined;
  if (!type || !b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    throw new HostKeyPinError(
      `"${entry.slice(0, 60)}" is neither an SSH public key line (such as "ssh-ed25519 AAAAC3Nz...") ` +
        'nor a fingerprint (such as "SHA256:..." from ssh-keygen -lf)',
    );
  }
  const blob = Buffer.from(b64, 'base64');
  if (blobType(blob) !== type) {
    throw new HostKeyPinError(
      `the ${type} key "${b64.slice(0, 24)}..." is damaged: its data does not say ${type}`,
    );
  }
  return { kind: 'key', type, blob, fingerprint: fingerprintOf(blob) };
}

/** Several pins (a rotation in progress) are separated by newlines or commas; at least one is required. */
export function parseHostKeyPins(text: string): HostKeyPin[] {
  const entries = text
    .split(/[\n,]/)
    .map((e) => e.trim())
    .filter((e) => e !== '' && !e.startsWith('#'));
  if (entries.length === 0) {
    throw new HostKeyPinError('no host key given: paste the bastion host key line or its SHA256 fingerprint');
  }
  return entries.map(parseOne);
}

/** True when the key the bastion presented is one of the pinned ones. */
export function matchesPin(pins: HostKeyPin[], blob: Buffer): boolean {
  const fingerprint = fingerprintOf(blob);
  return pins.some((p) => (p.kind === 'key' ? p.blob.equals(blob) : p.fingerprint === fingerprint));
}

/**
 * Host key algorithms to offer, or undefined for ssh2's defaults. Only when every pin is a whole key do we know
 * its type; a fingerprint pin leaves the default order, whose first choice (ed25519) is what most bastions show.
 */
export function hostKeyAlgorithmsFor(pins: HostKeyPin[]): string[] | undefined {
  if (pins.some((p) => p.kind !== 'key')) return undefined;
  const algorithms = new Set<string>();
  for (const p of pins) {
    if (p.kind === 'key') for (const a of ALGORITHMS_FOR_TYPE[p.type] ?? []) algorithms.add(a);
  }
  return [...algorithms];
}

/** How the pins read in a message to a technician. */
export function describePins(pins: HostKeyPin[]): string {
  return pins.map((p) => (p.kind === 'key' ? `${p.type} ${p.fingerprint}` : p.fingerprint)).join(' or ');
}
