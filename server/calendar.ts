// Dates that exist on the calendar: Date.parse and new Date() roll 2030-02-30 over to 2 March without a word,
// so forms and signed comments check their date fields here first.

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS[month - 1] as number);
}

/**
 * Whether the date (and time, when written) at the start of `text` exists: `YYYY-MM-DD`, optionally followed by
 * `Thh:mm` or `Thh:mm:ss` (a space or `t` also separates). No 30 February, no month 13, no hour 24, no minute
 * or second 60. What follows (fractions, a zone) is the caller's syntax to check.
 */
export function dateExists(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(text);
  if (!m) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m
    .slice(1)
    .map((v) => (v === undefined ? undefined : Number(v))) as number[];
  if (month === undefined || day === undefined || year === undefined) return false;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  return hour <= 23 && minute <= 59 && second <= 59;
}
