// The ordered list of schema steps; index i takes user_version i to i+1. Never edit a shipped step.
import { V1_INITIAL } from './001-initial.ts';
import { V2_SAMPLES } from './002-samples.ts';
import { V3_AUTH } from './003-auth.ts';
import { V5_HISTORY_BOUNDS } from './005-history-bounds.ts';

/** Step 004 is being written on another branch (issue 12, StoreCorrupt); at merge its import replaces this. */
const V4_ON_ANOTHER_BRANCH = '';

export const MIGRATIONS: readonly string[] = [
  V1_INITIAL,
  V2_SAMPLES,
  V3_AUTH,
  V4_ON_ANOTHER_BRANCH,
  V5_HISTORY_BOUNDS,
];
