// Numbers, percentages, plural forms and dates for the console's three languages, without Intl: the first Intl
// formatter maps ~8 MB of ICU code and data into the process, a tenth of the memory budget. The output matches
// Intl's for these languages (test/unit/i18n-numbers.test.ts compares them); only the zone is written as "UTC±h".
import type { Locale } from './locales.ts';

interface Conventions {
  decimal: string;
  group: string;
  percent: (n: string) => string;
  date: (d: { y: string; m: string; day: string; time: string; zone: string }) => string;
}

const NBSP = '\u00a0';

const CONVENTIONS: Record<Locale, Conventions> = {
  en: {
    decimal: '.',
    group: ',',
    percent: (n) => `${n}%`,
    date: (d) => `${d.m}/${d.day}/${d.y}, ${d.time} ${d.zone}`,
  },
  'zh-CN': {
    decimal: '.',
    group: ',',
    percent: (n) => `${n}%`,
    date: (d) => `${d.y}/${d.m}/${d.day} ${d.zone} ${d.time}`,
  },
  ru: {
    decimal: ',',
    group: NBSP,
    percent: (n) => `${n}${NBSP}%`,
    date: (d) => `${d.day}.${d.m}.${d.y}, ${d.time} ${d.zone}`,
  },
};

/** `n` with at most `maxFraction` decimals, rounded half away from zero, digits grouped by three. */
export function formatNumber(locale: Locale, n: number, maxFraction = 0): string {
  if (!Number.isFinite(n)) return String(n);
  const c = CONVENTIONS[locale];
  const scale = 10 ** maxFraction;
  // toFixed on the scaled value avoids 1.005-style binary surprises in the last digit.
  const rounded = Math.round(Math.abs(n) * scale + 1e-9) / scale;
  const [int = '0', frac = ''] = rounded.toFixed(maxFraction).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, c.group);
  const trimmed = frac.replace(/0+$/, '');
  const sign = n < 0 && rounded !== 0 ? '-' : '';
  return `${sign}${grouped}${trimmed ? c.decimal + trimmed : ''}`;
}

export function formatPercent(locale: Locale, share: number): string {
  return CONVENTIONS[locale].percent(formatNumber(locale, share * 100, 0));
}

export type PluralForm = 'one' | 'few' | 'many' | 'other';

/** CLDR cardinal plural rules of the three languages. */
export function pluralForm(locale: Locale, n: number): PluralForm {
  const whole = Number.isInteger(n);
  if (locale === 'en') return n === 1 ? 'one' : 'other';
  if (locale === 'ru') {
    if (!whole) return 'other';
    const i = Math.abs(n);
    const d10 = i % 10;
    const d100 = i % 100;
    if (d10 === 1 && d100 !== 11) return 'one';
    if (d10 >= 2 && d10 <= 4 && (d100 < 12 || d100 > 14)) return 'few';
    return 'many';
  }
  return 'other';
}

const two = (n: number) => String(n).padStart(2, '0');

/** The process's zone as "UTC", "UTC+1" or "UTC-5:30". */
export function zoneName(d: Date): string {
  const off = -d.getTimezoneOffset();
  if (off === 0) return 'UTC';
  const h = Math.floor(Math.abs(off) / 60);
  const m = Math.abs(off) % 60;
  return `UTC${off < 0 ? '-' : '+'}${h}${m ? `:${two(m)}` : ''}`;
}

/** Date, hours and minutes in the node's time zone, with the zone, in the language's order. */
export function formatDateTime(locale: Locale, d: Date): string {
  return CONVENTIONS[locale].date({
    y: String(d.getFullYear()),
    m: two(d.getMonth() + 1),
    day: two(d.getDate()),
    time: `${two(d.getHours())}:${two(d.getMinutes())}`,
    zone: zoneName(d),
  });
}

/** hh:mm:ss in the node's time zone (the same in all three languages). */
export function formatClock(d: Date): string {
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
