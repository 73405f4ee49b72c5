// TLS pins as OUTPOST_SOURCE_TLS_PIN writes them: parsed here, apart from the HTTP client, so the configuration
// can check them without loading node:http.
import { FetchError } from './types.ts';

/** A certificate pin: the sha256 of the server's public key (SPKI) or of its whole certificate (DER). */
export interface TlsPin {
  kind: 'spki' | 'cert';
  sha256: Buffer;
}

/**
 * Parses OUTPOST_SOURCE_TLS_PIN: comma-separated `sha256//<base64>` (public key, as curl's --pinnedpubkey)
 * or 64 hex digits, colons allowed (certificate fingerprint, as `openssl x509 -fingerprint -sha256` prints).
 */
export function parsePins(text: string): TlsPin[] {
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const spki = /^sha256\/\/?([A-Za-z0-9+/]{43}=)$/.exec(p);
      if (spki) return { kind: 'spki', sha256: Buffer.from(spki[1] as string, 'base64') } as TlsPin;
      const hex = p.replace(/^sha256[:=]/i, '').replaceAll(':', '');
      if (/^[0-9a-fA-F]{64}$/.test(hex)) return { kind: 'cert', sha256: Buffer.from(hex, 'hex') } as TlsPin;
      throw new FetchError(
        `TLS pin "${p}" is neither sha256//<base64 of the public key> nor a sha256 certificate fingerprint`,
      );
    });
}
