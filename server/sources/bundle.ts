// A bundle (tar.gz + minisig) to a verified file tree: the signature is checked before a byte is unpacked.
import { readTarGz } from './tar.ts';
import type { Fetched, FetchLimits } from './types.ts';
import { type TrustPolicy, verifyBundleSignature } from './verify.ts';

export interface BundleOptions {
  policy: TrustPolicy;
  limits: Pick<FetchLimits, 'maxFiles' | 'maxTotalBytes'>;
}

export function openBundle(
  label: string,
  gz: Buffer,
  sigText: string | null,
  sigLabel: string,
  opts: BundleOptions,
): Fetched {
  const signed = verifyBundleSignature(label, gz, sigText, sigLabel, opts.policy);
  const { files } = readTarGz(gz, label, opts.limits);
  if (!signed) return { files, signed: false };
  const out: Fetched = { files, version: String(signed.version), signer: signed.signer, signed: true };
  if (signed.expires) out.expires = signed.expires;
  return out;
}
