// What every network or bundle source is built with: the trust policy, the limits, credentials and TLS pins.
import type { TlsPin } from './pins.ts';
import type { FetchLimits } from './types.ts';
import type { TrustPolicy } from './verify.ts';

export interface SourceOptions {
  policy: TrustPolicy;
  limits: FetchLimits;
  /** OUTPOST_SOURCE_AUTH_FILE: `user:password` or a token; read on every fetch. */
  authFile?: string;
  /** OUTPOST_SOURCE_TLS_PIN, parsed; applies to the source URL's host. */
  pins?: readonly TlsPin[];
}
