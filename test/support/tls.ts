// Certificates for tests, made by the real `openssl` tool.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** Runs `openssl` with these arguments; it must exit 0. Returns its standard output. */
export function openssl(...args: string[]): string {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

export interface CertOptions {
  /** The subject's common name. */
  cn: string;
  days: number;
  /** subjectAltName, e.g. 'DNS:localhost,IP:127.0.0.1'; none when left out. */
  altNames?: string;
  /** File names inside the directory: key.pem and cert.pem unless given. */
  keyFile?: string;
  certFile?: string;
}

/** A self-signed P-256 certificate and its unencrypted key, written into `dir`; returns both paths. */
export function selfSignedCert(dir: string, opts: CertOptions): { key: string; cert: string } {
  const key = path.join(dir, opts.keyFile ?? 'key.pem');
  const cert = path.join(dir, opts.certFile ?? 'cert.pem');
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    String(opts.days),
    '-subj',
    `/CN=${opts.cn}`,
    ...(opts.altNames ? ['-addext', `subjectAltName=${opts.altNames}`] : []),
  );
  return { key, cert };
}
