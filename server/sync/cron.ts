// Cron expressions for the sync schedule and maintenance windows: 5 fields (minute hour day month weekday) or 6
// with seconds first; numbers, names, ranges, steps and lists, in the node's local time. node-cron did this, but
// it formats every tick through Intl.DateTimeFormat, which maps ~6 MB of ICU data into the process (docs/performance.md).
// Day of month and weekday must both match, as node-cron had it, so configured windows keep their meaning.

const MONTHS = 'january february march april may june july august september october november december'.split(
  ' ',
);
const DAYS = 'sunday monday tuesday wednesday thursday friday saturday'.split(' ');

interface Field {
  min: number;
  max: number;
  names?: string[];
  /** The first name stands for this number (months count from 1). */
  nameBase?: number;
}

const FIELDS: Field[] = [
  { min: 0, max: 59 }, // second
  { min: 0, max: 59 }, // minute
  { min: 0, max: 23 }, // hour
  { min: 1, max: 31 }, // day of month
  { min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { min: 0, max: 7, names: DAYS, nameBase: 0 }, // 7 is Sunday too
];

function value(token: string, f: Field): number | null {
  if (/^\d+$/.test(token)) return Number(token);
  // Full names ("monday") and three-letter ones ("mon") both count.
  const t = token.toLowerCase();
  const i = f.names?.findIndex((n) => t === n || t === n.slice(0, 3)) ?? -1;
  return i >= 0 ? i + (f.nameBase ?? 0) : null;
}

/** The set of values one field allows, or null when the field does not parse. */
function parseField(text: string, f: Field): Set<number> | null {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) return null;
    const [, range = '', stepText] = m;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) return null;
    let lo: number | null;
    let hi: number | null;
    if (range === '*' || range === '?') [lo, hi] = [f.min, f.max];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [lo, hi] = [value(a, f), value(b, f)];
    } else {
      lo = value(range, f);
      // "5/15" starts at 5 and steps to the end of the field.
      hi = stepText === undefined ? lo : f.max;
    }
    if (lo === null || hi === null || lo < f.min || hi > f.max || lo > hi) return null;
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export class Cron {
  readonly expression: string;
  readonly hasSeconds: boolean;
  readonly #sets: Set<number>[];

  private constructor(expression: string, hasSeconds: boolean, sets: Set<number>[]) {
    this.expression = expression;
    this.hasSeconds = hasSeconds;
    this.#sets = sets;
  }

  static parse(expression: string): Cron | null {
    const parts = expression.trim().split(/\s+/);
    if (parts.length !== 5 && parts.length !== 6) return null;
    const withSeconds = parts.length === 6 ? parts : ['0', ...parts];
    const sets: Set<number>[] = [];
    for (const [i, text] of withSeconds.entries()) {
      const set = parseField(text, FIELDS[i] as Field);
      if (!set) return null;
      sets.push(set);
    }
    const weekdays = sets[5] as Set<number>;
    if (weekdays.delete(7)) weekdays.add(0);
    return new Cron(expression, parts.length === 6, sets);
  }

  /** Whether this local time (to the second, or the minute for 5 fields) is one the expression names. */
  matches(d: Date): boolean {
    const [s, mi, h, dom, mon, dow] = this.#sets as [Set<number>, ...Set<number>[]];
    return (
      (!this.hasSeconds || s.has(d.getSeconds())) &&
      (mi as Set<number>).has(d.getMinutes()) &&
      (h as Set<number>).has(d.getHours()) &&
      (dom as Set<number>).has(d.getDate()) &&
      (mon as Set<number>).has(d.getMonth() + 1) &&
      (dow as Set<number>).has(d.getDay())
    );
  }

  /** The first time after `after` the expression names, within eight years (29 February; null when none). */
  next(after: Date): Date | null {
    const stepMs = this.hasSeconds ? 1000 : 60_000;
    const t = new Date(Math.floor(after.getTime() / stepMs) * stepMs + stepMs);
    for (let days = 0; days < 366 * 8; ) {
      const [, , , dom, mon, dow] = this.#sets as Set<number>[];
      // Whole days that cannot match are skipped at once: a year is walked in a few hundred steps.
      if (
        !(dom as Set<number>).has(t.getDate()) ||
        !(mon as Set<number>).has(t.getMonth() + 1) ||
        !(dow as Set<number>).has(t.getDay())
      ) {
        t.setHours(24, 0, 0, 0);
        days++;
        continue;
      }
      const day = t.getDate();
      while (t.getDate() === day) {
        if (this.matches(t)) return t;
        t.setTime(t.getTime() + stepMs);
      }
      days++;
    }
    return null;
  }
}

export function validCron(expression: string): boolean {
  return Cron.parse(expression) !== null;
}

/** Calls `fn` at every time the expression names, until stopped; timers are unref'd (they never hold exit). */
export function scheduleCron(cron: Cron, fn: () => void): { stop(): void; next(): Date | null } {
  let timer: NodeJS.Timeout | null = null;
  let due: Date | null = null;
  const arm = () => {
    due = cron.next(new Date());
    if (!due) return;
    // setTimeout holds at most ~24.8 days; a longer wait is re-armed on the way.
    const wait = Math.min(due.getTime() - Date.now(), 2 ** 31 - 1);
    timer = setTimeout(() => {
      if (due && Date.now() >= due.getTime() - 5) fn();
      arm();
    }, wait);
    timer.unref();
  };
  arm();
  return {
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      due = null;
    },
    next: () => due,
  };
}
