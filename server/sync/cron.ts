// Cron expressions for the sync schedule and maintenance windows, read and run by node-cron: 5 fields (minute
// hour day month weekday) or 6 with seconds first, in the site's time zone (OUTPOST_TIME_ZONE) or the node's.
import { createRequire } from 'node:module';
import type { ScheduledTask } from 'node-cron';

type NodeCron = typeof import('node-cron');
let library: NodeCron | null = null;

/**
 * node-cron, loaded when an expression is first read: `outpost revisions` and the other commands that never read
 * a schedule or a window do not pay for it. Synchronous, as the callers are (config validation among them).
 */
function nodeCron(): NodeCron {
  library ??= createRequire(import.meta.url)('node-cron') as NodeCron;
  return library;
}

/** node-cron keeps every task it creates: an expression (a schedule, a few windows) is parsed once and kept. */
const parsed = new Map<string, Cron | null>();
const MAX_PARSED = 64;

export class Cron {
  readonly expression: string;
  readonly hasSeconds: boolean;
  readonly #task: ScheduledTask;

  private constructor(expression: string, hasSeconds: boolean, task: ScheduledTask) {
    this.expression = expression;
    this.hasSeconds = hasSeconds;
    this.#task = task;
  }

  /** The expression in a time zone (IANA name; the node's own when left out), or null when it does not parse. */
  static parse(expression: string, timeZone?: string): Cron | null {
    const key = `${timeZone ?? ''}\n${expression}`;
    const known = parsed.get(key);
    if (known !== undefined) return known;
    const cron = Cron.#create(expression, timeZone);
    if (parsed.size >= MAX_PARSED) {
      const [oldest] = parsed;
      if (oldest) parsed.delete(oldest[0]);
    }
    parsed.set(key, cron);
    return cron;
  }

  static #create(expression: string, timeZone: string | undefined): Cron | null {
    const fields = expression.trim().split(/\s+/).length;
    if ((fields !== 5 && fields !== 6) || cronProblem(expression) !== null) return null;
    try {
      const task = nodeCron().createTask(expression, () => undefined, timeZone ? { timezone: timeZone } : {});
      return new Cron(expression, fields === 6, task);
    } catch {
      return null;
    }
  }

  /** Whether this time (to the second, or the minute for 5 fields) is one the expression names. */
  matches(d: Date): boolean {
    // A maintenance window names whole minutes: node-cron matches a 5-field expression at second 0 only.
    return this.#task.match(this.hasSeconds ? d : new Date(Math.floor(d.getTime() / 60_000) * 60_000));
  }

  /** The next `count` times the expression names, from now. */
  nextRuns(count: number): Date[] {
    return this.#task.getNextRuns(count);
  }
}

/** Why an expression does not parse, in node-cron's words (an impossible date such as 31 February included). */
export function cronProblem(expression: string): string | null {
  const v = nodeCron().validateDetailed(expression);
  if (v.valid) return null;
  return v.errors.map((e) => e.message).join('; ') || 'not a cron expression';
}

export function validCron(expression: string): boolean {
  return Cron.parse(expression) !== null;
}

/** Calls `fn` at every time the expression names, until stopped; the timer never holds the process open. */
export function scheduleCron(
  cron: Cron,
  fn: () => void,
  timeZone?: string,
): { stop(): void; next(): Date | null } {
  const task = nodeCron().schedule(cron.expression, fn, {
    unref: true,
    ...(timeZone ? { timezone: timeZone } : {}),
  });
  let stopped = false;
  return {
    stop() {
      stopped = true;
      void task.destroy();
    },
    next: () => (stopped ? null : task.getNextRun()),
  };
}
