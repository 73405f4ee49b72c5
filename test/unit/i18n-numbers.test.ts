// Outpost formats numbers, plurals and dates itself (Intl costs ~8 MB of RSS); Intl is the oracle here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOCALES } from '../../server/web/i18n/index.ts';
import {
  formatClock,
  formatDateTime,
  formatNumber,
  formatPercent,
  pluralForm,
  zoneName,
} from '../../server/web/i18n/numbers.ts';

// Seeded, so a failure names a value that can be tried again.
function* values(): Generator<number> {
  let x = 42;
  const next = () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
  yield* [0, 1, 2, 5, 11, 12, 21, 0.05, 0.15, 1.25, 1.35, 2.5, 999.95, 1234, 12_345, 1_234_567.89, -2.25, -7];
  for (let i = 0; i < 500; i++) yield Math.round((next() - 0.2) * 10 ** Math.floor(next() * 8)) / 100;
}

test('numbers match Intl.NumberFormat in each language: grouping, decimal mark, rounding half away from zero', () => {
  for (const locale of LOCALES) {
    for (const digits of [0, 1]) {
      const intl = new Intl.NumberFormat(locale, { maximumFractionDigits: digits });
      for (const v of values()) {
        const expected = intl.format(v).replace(/^-0$/, '0');
        assert.equal(formatNumber(locale, v, digits), expected, `${locale} ${v} (${digits} digits)`);
      }
    }
  }
});

test('percentages match Intl in each language (Russian puts a no-break space before %)', () => {
  for (const locale of LOCALES) {
    const intl = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
    for (const share of [0, 0.004, 0.005, 0.123, 0.5, 0.995, 1, 12.345])
      assert.equal(formatPercent(locale, share), intl.format(share), `${locale} ${share}`);
  }
});

test('plural forms match Intl.PluralRules for whole counts 0–1000 and for fractions', () => {
  for (const locale of LOCALES) {
    const rules = new Intl.PluralRules(locale);
    for (let n = 0; n <= 1000; n++) assert.equal(pluralForm(locale, n), rules.select(n), `${locale} ${n}`);
    for (const n of [0.5, 1.5, 2.1, 11.3])
      assert.equal(pluralForm(locale, n), rules.select(n), `${locale} ${n}`);
  }
});

test('dates read in the language’s order, in the node’s zone; the clock is hh:mm:ss', () => {
  const d = new Date(2026, 10, 4, 9, 5, 7);
  const zone = zoneName(d);
  assert.equal(formatDateTime('en', d), `11/04/2026, 09:05 ${zone}`);
  assert.equal(formatDateTime('zh-CN', d), `2026/11/04 ${zone} 09:05`);
  assert.equal(formatDateTime('ru', d), `04.11.2026, 09:05 ${zone}`);
  assert.equal(formatClock(d), '09:05:07');
  // Without a zone name Intl writes the same: only the zone's spelling is ours.
  for (const locale of LOCALES) {
    const intl = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
      timeZoneName: 'short',
    });
    const parts = intl.formatToParts(d).filter((p) => p.type !== 'timeZoneName');
    const ours = formatDateTime(locale, d).replace(zone, '');
    assert.equal(
      ours.replace(/\s+/g, ' ').trim(),
      parts
        .map((p) => p.value)
        .join('')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }
  if (d.getTimezoneOffset() === 0) assert.equal(zone, 'UTC');
  else assert.match(zone, /^UTC[+-]\d{1,2}(:\d\d)?$/);
});
