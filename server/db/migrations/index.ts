// The ordered list of schema steps; index i takes user_version i to i+1. Never edit a shipped step.
import { V1_INITIAL } from './001-initial.ts';

export const MIGRATIONS: readonly string[] = [V1_INITIAL];
