// Message catalogues and language choice: cookie, then Accept-Language, then English; plurals by CLDR rules (numbers.ts).
import { ACCESS_STRINGS } from './access.ts';
import { CHART_STRINGS } from './charts.ts';
import { en } from './en.ts';
import { HTTP_STRINGS } from './http.ts';
import { type Catalogue, LOCALES, type Locale } from './locales.ts';
import { pluralForm } from './numbers.ts';
import { PAGE_STRINGS } from './pages.ts';
import { PROBLEM_STRINGS } from './problems.ts';
import { ru } from './ru.ts';
import { STORE_STRINGS } from './store.ts';
import { zhCN } from './zh-CN.ts';

export { type Catalogue, LOCALES, type Locale } from './locales.ts';
export const DEFAULT_LOCALE: Locale = 'en';
export const LANG_COOKIE = 'outpost_lang';

export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = {
  en: {
    ...en,
    ...ACCESS_STRINGS.en,
    ...PAGE_STRINGS.en,
    ...HTTP_STRINGS.en,
    ...STORE_STRINGS.en,
    ...CHART_STRINGS.en,
    ...PROBLEM_STRINGS.en,
  },
  'zh-CN': {
    ...zhCN,
    ...ACCESS_STRINGS['zh-CN'],
    ...PAGE_STRINGS['zh-CN'],
    ...HTTP_STRINGS['zh-CN'],
    ...STORE_STRINGS['zh-CN'],
    ...CHART_STRINGS['zh-CN'],
    ...PROBLEM_STRINGS['zh-CN'],
  },
  ru: {
    ...ru,
    ...ACCESS_STRINGS.ru,
    ...PAGE_STRINGS.ru,
    ...HTTP_STRINGS.ru,
    ...STORE_STRINGS.ru,
    ...CHART_STRINGS.ru,
    ...PROBLEM_STRINGS.ru,
  },
};

/** Each language's own name, for the switcher. */
export const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = {
  en: 'English',
  'zh-CN': '中文',
  ru: 'Русский',
};

export type Params = Readonly<Record<string, string | number>>;

export interface Translator {
  locale: Locale;
  /** The message for `key` with `{name}` placeholders filled; English, then the key itself, when missing. */
  t(key: string, params?: Params): string;
  /** Plural message: `key.one`, `key.few`, … chosen by the language's plural rules for `count` (also `{n}`). */
  tn(key: string, count: number, params?: Params): string;
}

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/** Maps a language tag to a supported locale: zh, zh-Hans, zh-SG → zh-CN; ru-RU → ru; en-GB → en. */
export function matchLocale(tag: string): Locale | null {
  const t = tag.trim().toLowerCase();
  if (!t) return null;
  if (t === 'zh' || t.startsWith('zh-cn') || t.startsWith('zh-hans') || t.startsWith('zh-sg')) return 'zh-CN';
  // Traditional Chinese readers still read Simplified better than English.
  if (t.startsWith('zh')) return 'zh-CN';
  if (t === 'ru' || t.startsWith('ru-')) return 'ru';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return null;
}

/** The best supported language for an Accept-Language header (q-values respected), or null. */
export function fromAcceptLanguage(header: string | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...rest] = part.split(';');
      const q = rest.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    const m = matchLocale(tag);
    if (m) return m;
  }
  return null;
}

export function negotiate(cookie: string | null | undefined, acceptLanguage: string | undefined): Locale {
  if (isLocale(cookie)) return cookie;
  return fromAcceptLanguage(acceptLanguage) ?? DEFAULT_LOCALE;
}

const fill = (text: string, params: Params | undefined) =>
  params ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : text;

function makeTranslator(locale: Locale): Translator {
  const own = CATALOGUES[locale];
  const fallback = CATALOGUES[DEFAULT_LOCALE];
  const t = (key: string, params?: Params) => fill(own[key] ?? fallback[key] ?? key, params);
  return {
    locale,
    t,
    tn(key, count, params) {
      const form = `${key}.${pluralForm(locale, count)}`;
      const text = own[form] ?? own[`${key}.other`] ?? fallback[`${key}.other`] ?? key;
      return fill(text, { n: count, ...params });
    },
  };
}

const translators = new Map<Locale, Translator>();

/** One translator per language, made once. */
export function translator(locale: Locale): Translator {
  let tr = translators.get(locale);
  if (!tr) {
    tr = makeTranslator(locale);
    translators.set(locale, tr);
  }
  return tr;
}
