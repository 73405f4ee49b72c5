// What a run that ended without failing says it did: one English template per shape (server/lines.ts), stored as
// the run's message (the CLI and reports show it as it is) and said by the console in the reader's language
// (catalogue key `run.m.<shape>`); a held revision's own failure stays in a `raw` placeholder.
import { type LineParams, type LineShape, readLine, writeLine } from '../lines.ts';

/** Every shape, tried in this order (a longer shape before the shorter one it starts like). */
export const RUN_MESSAGES = {
  'applied-drift': {
    text: 'revision {rev} applied and healthy; corrected drift on {n} object(s)',
    kinds: { rev: 'text', n: 'count' },
  },
  applied: { text: 'revision {rev} applied and healthy', kinds: { rev: 'text' } },
  reasserted: { text: 're-asserted revision {rev} from the local store', kinds: { rev: 'text' } },
  'reasserted-empty': { text: 're-asserted the empty state from the local store', kinds: {} },
  held: { text: 'revision {rev} is held: {error}', kinds: { rev: 'text', error: 'raw' } },
  'staff-hold': {
    text: 'updates are on hold until {at} ({reason}, set by {by})',
    kinds: { at: 'time', reason: 'text', by: 'text' },
  },
  window: { text: 'outside the maintenance window ({windows})', kinds: { windows: 'text' } },
  'drift-reported': { text: 'drift on {n} object(s) reported, not corrected', kinds: { n: 'count' } },
  'no-drift': { text: 'no drift', kinds: {} },
} as const satisfies Record<string, LineShape>;

export type RunMessageShape = keyof typeof RUN_MESSAGES;
export const RUN_MESSAGE_SHAPES = Object.keys(RUN_MESSAGES) as RunMessageShape[];

/** The English message for a shape, as stored. */
export function runMessage(shape: RunMessageShape, params: LineParams = {}): string {
  return writeLine(RUN_MESSAGES[shape], params);
}

/** The shape of one of our run messages, or null (a run stored before this module, or a failure's own words). */
export function readRunMessage(
  line: string | null | undefined,
): { shape: RunMessageShape; params: LineParams } | null {
  return readLine<RunMessageShape>(RUN_MESSAGES, line);
}
