// Loggers for tests: a silent one (pino at level silent writes nothing) and one that keeps every line it writes.
import pino, { type Logger } from 'pino';

export const silentLog = pino({ level: 'silent' });

/** A logger at level debug whose JSON lines are kept in `lines`, to check what a request wrote. */
export function capturedLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { log, lines };
}
