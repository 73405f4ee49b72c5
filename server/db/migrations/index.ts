// The ordered list of schema steps; index i takes user_version i to i+1. Never edit a shipped step.
import { V1_INITIAL } from './001-initial.ts';
import { V2_SAMPLES } from './002-samples.ts';
import { V3_AUTH } from './003-auth.ts';
import { V4_STORE_SAFETY } from './004-store-safety.ts';
import { V5_HISTORY_BOUNDS } from './005-history-bounds.ts';
import { V7_LOGIN_RESET } from './007-login-reset.ts';
import { V8_OUTBOX } from './008-outbox.ts';
import { V9_REVISION_IDENTITY } from './009-revision-identity.ts';
import { V12_APPLIED_VERSIONS } from './012-applied-versions.ts';
import { V13_REVISION_LABELS } from './013-revision-labels.ts';
import { V14_API_SAMPLES } from './014-api-samples.ts';

export const MIGRATIONS: readonly string[] = [
  V1_INITIAL,
  V2_SAMPLES,
  V3_AUTH,
  V4_STORE_SAFETY,
  V5_HISTORY_BOUNDS,
  V7_LOGIN_RESET,
  V8_OUTBOX,
  V9_REVISION_IDENTITY,
  V12_APPLIED_VERSIONS,
  V13_REVISION_LABELS,
  V14_API_SAMPLES,
];
