// Message catalogues: every language has every key (with its plural forms), and every key the UI uses exists.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DYNAMIC_KEYS } from '../../server/web/format.ts';
import {
  CATALOGUES,
  type Catalogue,
  fromAcceptLanguage,
  LOCALES,
  negotiate,
  translator,
} from '../../server/web/i18n/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const PLURAL = /\.(zero|one|two|few|many|other)$/;

/** Keys without their plural suffix, and which base keys are plural. */
function shape(c: Catalogue): { plain: Set<string>; plural: Set<string> } {
  const plain = new Set<string>();
  const plural = new Set<string>();
  for (const k of Object.keys(c)) {
    if (PLURAL.test(k)) plural.add(k.replace(PLURAL, ''));
    else plain.add(k);
  }
  return { plain, plural };
}

function files(dir: string, ext: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(ext))
    .map((f) => path.join(ROOT, dir, f));
}

/** Every literal key passed to t() / tn() in the views and the web layer's code. */
function usedKeys(): { plain: Map<string, string>; plural: Map<string, string> } {
  const plain = new Map<string, string>();
  const plural = new Map<string, string>();
  const sources = [...files('views', '.eta'), ...files('server/web', '.ts')].filter(
    (f) => !f.includes(`${path.sep}i18n${path.sep}`),
  );
  for (const f of sources) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([A-Za-z0-9_.-]+)'/g)) plain.set(m[1] as string, f);
    for (const m of text.matchAll(/\btn\(\s*'([A-Za-z0-9_.-]+)'/g)) plural.set(m[1] as string, f);
    // Page titles are catalogue keys too: respond(req, res, views, 'view', 'title.key', …).
    for (const m of text.matchAll(/respond\(\s*req,\s*res,\s*views,\s*'[^']+',\s*'([^']+)'/g))
      plain.set(m[1] as string, f);
  }
  return { plain, plural };
}

test('every language has exactly the keys English has, plural forms included', () => {
  const en = shape(CATALOGUES.en);
  for (const locale of LOCALES) {
    const c = shape(CATALOGUES[locale]);
    const missing = [...en.plain].filter((k) => !c.plain.has(k));
    const extra = [...c.plain].filter((k) => !en.plain.has(k));
    assert.deepEqual(missing, [], `${locale} lacks ${missing.join(', ')}`);
    assert.deepEqual(extra, [], `${locale} has keys English does not: ${extra.join(', ')}`);
    assert.deepEqual([...c.plural].sort(), [...en.plural].sort(), `${locale}: plural keys differ`);
    const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
    for (const base of c.plural) {
      for (const cat of categories) {
        assert.ok(`${base}.${cat}` in CATALOGUES[locale], `${locale} lacks the "${cat}" form of ${base}`);
      }
    }
  }
});

test('no message is empty and every placeholder of English is used in each translation', () => {
  for (const locale of LOCALES) {
    for (const [key, text] of Object.entries(CATALOGUES[locale])) {
      assert.ok(text.trim().length > 0, `${locale} ${key} is empty`);
      const enKey = key in CATALOGUES.en ? key : key.replace(PLURAL, '.other');
      const wanted = new Set([...(CATALOGUES.en[enKey] ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
      const have = new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
      for (const p of have) assert.ok(wanted.has(p) || p === 'n', `${locale} ${key} uses unknown {${p}}`);
      // Plural "one" forms may drop {n} ("See the applied object"); everything else keeps every placeholder.
      if (!/\.one$/.test(key)) {
        for (const p of wanted) assert.ok(have.has(p), `${locale} ${key} drops {${p}}`);
      }
    }
  }
});

test('every key a template or route uses exists (plain and plural), and every run-time key too', () => {
  const en = shape(CATALOGUES.en);
  const used = usedKeys();
  assert.ok(used.plain.size > 100, `found only ${used.plain.size} keys: is the scanner still right?`);
  for (const [k, f] of used.plain) {
    // 'phase.' + p: a family of keys built at run time; at least one of the family must exist.
    if (k.endsWith('.')) {
      assert.ok(
        [...en.plain].some((e) => e.startsWith(k)),
        `${path.relative(ROOT, f)} uses unknown keys ${k}*`,
      );
      continue;
    }
    assert.ok(en.plain.has(k), `${path.relative(ROOT, f)} uses unknown key ${k}`);
  }
  for (const [k, f] of used.plural)
    assert.ok(en.plural.has(k), `${path.relative(ROOT, f)} uses unknown plural key ${k}`);
  for (const k of DYNAMIC_KEYS) assert.ok(en.plain.has(k) || en.plural.has(k), `run-time key ${k} missing`);
});

test('a key that no catalogue has comes back as itself, so a slip shows instead of breaking the page', () => {
  assert.equal(translator('ru').t('no.such.key'), 'no.such.key');
  assert.equal(translator('zh-CN').t('sync.now'), '立即同步');
});

test('Russian plurals pick one, few and many by the number', () => {
  const ru = translator('ru');
  assert.equal(ru.tn('sync.objects', 1), '1 объект');
  assert.equal(ru.tn('sync.objects', 3), '3 объекта');
  assert.equal(ru.tn('sync.objects', 5), '5 объектов');
  assert.equal(ru.tn('sync.objects', 21), '21 объект');
  assert.equal(ru.tn('sync.objects', 12), '12 объектов');
  assert.equal(translator('en').tn('sync.objects', 1), '1 object');
  assert.equal(translator('zh-CN').tn('sync.objects', 7), '7 个对象');
});

test('the language comes from the cookie first, then Accept-Language with q-values, then English', () => {
  assert.equal(negotiate('ru', 'zh-CN'), 'ru');
  assert.equal(negotiate('xx', 'zh-CN,zh;q=0.9'), 'zh-CN');
  assert.equal(negotiate(null, 'de-DE,ru;q=0.8,en;q=0.5'), 'ru');
  assert.equal(negotiate(null, 'en;q=0.3,ru;q=0.9'), 'ru');
  assert.equal(negotiate(null, 'ru;q=0,en'), 'en');
  assert.equal(negotiate(null, 'fr-FR'), 'en');
  assert.equal(negotiate(undefined, undefined), 'en');
  assert.equal(fromAcceptLanguage('zh-TW'), 'zh-CN');
  assert.equal(fromAcceptLanguage('zh-Hans-CN'), 'zh-CN');
});
