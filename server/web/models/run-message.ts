// A run's message in the reader's language: what a run that ended without failing did (server/sync/run-message.ts),
// from the catalogue (`run.m.<shape>`), a held revision's failure apart for "Details for support".
import { RUN_MESSAGES, readRunMessage } from '../../sync/run-message.ts';
import { type LineSaid, type Say, saidLine } from './said-line.ts';

export function runMessageSaid(line: string | null | undefined, say: Say): LineSaid {
  return saidLine('run.m', RUN_MESSAGES, readRunMessage(line), line, say);
}
