// A silent logger for tests: pino at level silent writes nothing.
import pino from 'pino';

export const silentLog = pino({ level: 'silent' });
