// The languages the console speaks and the shape of a catalogue: a leaf the catalogues and helpers import,
// so none of them imports index.ts back (no import cycle, types included).
export const LOCALES = ['en', 'zh-CN', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];
export type Catalogue = Readonly<Record<string, string>>;
