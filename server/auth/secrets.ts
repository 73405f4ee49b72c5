// Secrets mounted as files (a K3s Secret): the enrollment code, the metrics token, the TLS certificate and key.
import { readFileSync } from 'node:fs';

export class SecretFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretFileError';
  }
}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new SecretFileError(`cannot read the ${what} file ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** A one-line secret: trimmed, and never empty. */
export function readSecretFile(file: string, what: string): string {
  const value = read(file, what).toString('utf8').trim();
  if (!value) throw new SecretFileError(`the ${what} file ${file} is empty`);
  return value;
}

/** A PEM certificate or key, as the TLS server takes it. */
export function readPemFile(file: string, what: string): Buffer {
  const pem = read(file, what);
  if (!pem.includes('-----BEGIN ')) throw new SecretFileError(`the ${what} file ${file} is not PEM`);
  return pem;
}
