// The JSON logger (pino) for the engineer; created by main.ts or the CLI, never at import time.
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination: 'stdout' | 'stderr' = 'stdout'): Logger {
  return pino(
    { level, base: { svc: 'outpost' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: destination === 'stdout' ? 1 : 2, sync: false }),
  );
}
