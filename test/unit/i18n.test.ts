// Message catalogues: every language has every key (with its plural forms), and every key the UI uses exists.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AUDIT_DETAIL_SHAPES, AUDIT_DETAILS, auditDetail } from '../../server/audit-detail.ts';
import { ACCESS_CODES, AccessError } from '../../server/auth/access-error.ts';
import { ROLES } from '../../server/auth/users.ts';
import { RUN_MESSAGE_SHAPES, RUN_MESSAGES, runMessage } from '../../server/sync/run-message.ts';
import { createFormat, DYNAMIC_KEYS } from '../../server/web/format.ts';
import {
  CATALOGUES,
  type Catalogue,
  fromAcceptLanguage,
  LOCALES,
  negotiate,
  translator,
} from '../../server/web/i18n/index.ts';
import { auditDetailSaid, auditDetailText } from '../../server/web/models/audit-detail.ts';
import { runMessageSaid } from '../../server/web/models/run-message.ts';
import { refusalText } from '../../server/web/refusal.ts';

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
    (f) => !path.relative(ROOT, f).includes(`i18n${path.sep}`),
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

/**
 * Text that may stay as it is in every language: names, commands and settings, not words to translate. Each entry
 * is matched whole against one piece of template text or one string literal.
 */
const NOT_WORDS = new Set([
  'Outpost',
  '· Outpost ·',
  // Protocol text: an Express setting and HTTP header values.
  'trust proxy',
  'attachment; filename=" "',
  'Bearer realm="outpost"',
  // The live-updates stream's content type (its 503 body is in the catalogue: sse.busy).
  'text/event-stream; charset=utf-8',
  // A Git branch name as the placeholder of the branch field.
  'main',
]);
/** Modules whose string literals are never shown to people (each with why). */
const NOT_SHOWN: Record<string, string> = {
  // MultipartError messages go to the log; the console shows uploadRefusal's catalogue words.
  'server/web/multipart.ts': 'log text',
};
/** A piece of prose: two words of letters with a space between them. */
const PROSE = /\p{L}{2,}[,.:;!?)]*\s+\p{L}{2,}/u;
/** In a template, one word alone is prose too ("Open"); in code it is an identifier ("Healthy"). */
const WORD = /\p{L}{2,}/u;

/** Template text and user-facing attributes outside Eta tags, <code> and <script>. */
function templateText(source: string): string[] {
  const out: string[] = [];
  const t = source
    .replace(/<%[\s\S]*?%>/g, '\u0000')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(code|script|style|pre)\b[^>]*>[\s\S]*?<\/\1>/g, ' ');
  for (const m of t.matchAll(/\b(?:title|aria-label|placeholder|alt|label)="([^"]*)"/g))
    out.push(m[1] as string);
  for (const piece of t.replace(/<[^>]*>/g, '\u0000').split('\u0000')) out.push(piece.trim());
  return out.filter((x) => x.length > 0);
}

/** String literals in code (comments, imports, log calls and thrown internal errors left out). */
function codeStrings(source: string): string[] {
  const out: string[] = [];
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .split('\n')
    .filter((l) => !/^\s*(\/\/|import |export \{|\} from )/.test(l))
    .map((l) => l.replace(/(^|[^:'"`])\/\/.*$/, '$1'))
    .join('\n')
    // Log lines are for the operator's log, in English by design: pino's (obj, 'message') and (obj, `message`).
    .replace(/\blog(?:\.(?:trace|debug|info|warn|error|fatal)|\[[^\]]*\])\([\s\S]*?\);/g, ' ');
  for (const m of code.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)) {
    const text = (m[1] ?? m[2] ?? m[3] ?? '').replace(/\$\{[^}]*\}/g, ' ');
    out.push(text.trim());
  }
  return out;
}

test('no template, route, middleware or model shows text that is not in the catalogue', () => {
  const found: string[] = [];
  for (const f of files('views', '.eta')) {
    for (const text of templateText(readFileSync(f, 'utf8')))
      if (WORD.test(text) && !NOT_WORDS.has(text)) found.push(`${path.relative(ROOT, f)}: ${text}`);
  }
  const code = files('server/web', '.ts').filter((f) => !path.relative(ROOT, f).includes(`i18n${path.sep}`));
  assert.ok(code.length > 20, 'the scan sees the web layer');
  for (const f of code) {
    if (path.relative(ROOT, f) in NOT_SHOWN) continue;
    for (const text of codeStrings(readFileSync(f, 'utf8')))
      if (PROSE.test(text) && !NOT_WORDS.has(text)) found.push(`${path.relative(ROOT, f)}: ${text}`);
  }
  assert.deepEqual(found, [], 'put these in the catalogues (or, for a name or command, in NOT_WORDS)');
});

/** Every catalogue key named whole in the code or templates, and the families built at run time. */
function referencedKeys(): { whole: Set<string>; families: Set<string> } {
  const sources = [...files('views', '.eta'), ...files('server', '.ts')].filter(
    (f) => !path.relative(ROOT, f).includes(`i18n${path.sep}`),
  );
  const whole = new Set<string>(DYNAMIC_KEYS);
  const families = new Set<string>();
  for (const f of sources) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/['"`]([A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+)['"`]/g))
      whole.add(m[1] as string);
    // 'phase.' + p, `role.${r}`, and fmt.known('audit.act', code): a family of keys chosen at run time.
    for (const m of text.matchAll(/'([A-Za-z][\w.-]*\.)'\s*\+/g)) families.add(m[1] as string);
    for (const m of text.matchAll(/`([A-Za-z][\w.-]*\.)\$\{/g)) families.add(m[1] as string);
    for (const m of text.matchAll(/\bknown\(\s*'([\w.-]+)'/g)) families.add(`${m[1]}.`);
  }
  return { whole, families };
}

test('every catalogue key is used somewhere (no leftovers to translate for nothing)', () => {
  const { whole, families } = referencedKeys();
  const unused = Object.keys(CATALOGUES.en)
    .map((k) => k.replace(PLURAL, ''))
    .filter((k) => !whole.has(k) && ![...families].some((p) => k.startsWith(p)));
  assert.deepEqual([...new Set(unused)], [], 'use these keys or delete them from every catalogue');
  // The check sees a leftover: a key nobody names is reported.
  assert.ok(!whole.has('kiosk.noFailures') && ![...families].some((p) => 'kiosk.noFailures'.startsWith(p)));
});

/**
 * Lines of the web layer that read an error's own words (`.message`) without putting them in a `detail` (shown
 * only under "Details for support"), each with why it may.
 */
const MESSAGE_READERS: Record<string, string> = {
  // An HttpError's message is ours, already in the reader's language; an AccessError is said by refusalText.
  'server/web/routes/users.ts': 'refusalText(requestContext(res), err) : err.message',
  // The body of a refused event stream: no page shows it (an EventSource drops it); it names the pod for whoever
  // calls the stream by hand.
  'server/web/routes/live.ts': "type('text').send(err.message)",
  // A run's stored message is one of our lines, said from the catalogue (a held revision's failure as a detail).
  'server/web/routes/runs.ts': 'runMessageSaid(run.message',
  // zod issue messages of our forms are catalogue keys.
  'server/web/routes/actions.ts': "i.message.startsWith('form.') ? t(i.message)",
};

/** A line of web code that reads an error's own words for anything but a `detail` (or an allowed reader). */
function showsRawMessage(rel: string, line: string): boolean {
  if (!/\.message\b/.test(line) || /detail/i.test(line) || /^\s*(\/\/|\*|\/\*)/.test(line)) return false;
  return !(MESSAGE_READERS[rel] !== undefined && line.includes(MESSAGE_READERS[rel] as string));
}

test('the web layer puts an error’s own words only under “Details for support”, never in the sentence', () => {
  const found: string[] = [];
  for (const f of files('server/web', '.ts')) {
    const rel = path.relative(ROOT, f);
    if (rel.includes(`i18n${path.sep}`) || rel in NOT_SHOWN) continue;
    for (const line of readFileSync(f, 'utf8').split('\n'))
      if (showsRawMessage(rel, line)) found.push(`${rel}: ${line.trim()}`);
  }
  assert.deepEqual(found, [], 'say it with a catalogue key, and pass the error’s words as `detail`');
  // The scan sees an error's words put in the sentence, and lets them through as a detail.
  const rel = 'server/web/routes/x.ts';
  assert.ok(showsRawMessage(rel, "  throw new HttpError(502, t('restart.failed', { error: err.message }));"));
  assert.ok(
    !showsRawMessage(rel, "  throw new HttpError(502, t('restart.failed'), { detail: err.message });"),
  );
});

/** A template printing an error's own words (a tunnel's, the cluster view's, a run's object) straight into the page. */
function rawErrorsShown(source: string): string[] {
  // Folded away is fine: <code class="detail"> inside a <details>, or the support-detail partial (given `detail:`).
  const open = source.replace(/<code class="detail">[\s\S]*?<\/code>/g, ' ');
  return (
    [...open.matchAll(/<%=\s*([^%]*\b(?:lastError|liveError|errorDetail|\w+\.error)\b[^%]*)%>/g)]
      .map((m) => (m[1] as string).trim())
      // `it.error` is the page's own message, which its route says in the reader's words (checked above).
      .filter((expr) => !/^it\.t\(/.test(expr) && !/^it\.error\b/.test(expr))
  );
}

test('no template prints an error’s own words outside “Details for support”', () => {
  const found: string[] = [];
  for (const f of files('views', '.eta'))
    for (const expr of rawErrorsShown(readFileSync(f, 'utf8')))
      found.push(`${path.relative(ROOT, f)}: ${expr}`);
  assert.deepEqual(
    found,
    [],
    'say it with a catalogue key and include partials/support-detail with the raw text',
  );
  // The scan sees a raw error after a sentence, and lets the folded one through.
  assert.deepEqual(rawErrorsShown("<p><%= it.t('x') %> <small><%= c.error %></small></p>"), ['c.error']);
  assert.deepEqual(rawErrorsShown('<code class="detail"><%= t.lastError %></code>'), []);
});

/** Audit details that are not one of our shapes, each with why. */
const FREE_DETAILS: Record<string, string> = {
  'hold?.reason': 'the reason typed by whoever held: their words, shown as they are',
  reason: 'the tunnel closes with an auditDetail line (by hand, or Outpost stopping)',
  detail: 'a setting changed: its old and new values, which are data, not words',
};

/** The arguments of each call of `name(` in `text`, up to the matching parenthesis. */
function callArgs(text: string, name: RegExp): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(name)) {
    let depth = 0;
    let i = (m.index as number) + m[0].length - 1;
    const start = i;
    for (; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) break;
    }
    out.push(text.slice(start + 1, i));
  }
  return out;
}

/** The `detail` of an audit entry: its value, or nothing for the shorthand `{ …, detail }`. */
const DETAIL = /\bdetail(?::\s*([^,\n}]+)|\s*[,}])/;

test('every audit line a writer stores is one of ours: an error’s words only in a shape’s raw placeholder', () => {
  const found: string[] = [];
  let calls = 0;
  for (const f of files('server', '.ts')) {
    if (/kubesim/.test(f)) continue;
    for (const args of callArgs(readFileSync(f, 'utf8'), /\b(?:appendAudit|audit)\(/g)) {
      const m = DETAIL.exec(args);
      if (!m) continue;
      calls++;
      const value = (m[1] ?? 'detail').trim();
      if (/^auditDetail\(/.test(value) || FREE_DETAILS[value] !== undefined) continue;
      found.push(`${path.relative(ROOT, f)}: detail: ${value}`);
    }
  }
  assert.ok(calls >= 10, `the scan sees the audit writers (${calls})`);
  assert.deepEqual(
    found,
    [],
    'store auditDetail(shape, …) (server/audit-detail.ts), never an error or free text',
  );
  // The scan sees an error's message stored as the line.
  const [args] = callArgs(
    "appendAudit(db, { action: 'x', detail: (err as Error).message });",
    /\bappendAudit\(/g,
  );
  assert.equal(DETAIL.exec(args as string)?.[1]?.trim(), '(err as Error).message');
});

test('the scan above would catch hard-coded text in a template and in code', () => {
  assert.deepEqual(
    templateText(
      '<h2>Remote support</h2><p><%= it.t("x") %></p><code>npx outpost</code><b title="Open it">x</b>',
    ).filter((x) => PROSE.test(x)),
    ['Open it', 'Remote support'],
  );
  assert.deepEqual(
    codeStrings("throw new E('minutes must be a number');\n// a comment here\nt('form.key');").filter((x) =>
      PROSE.test(x),
    ),
    ['minutes must be a number'],
  );
});

test('every view rendered by a route is rendered in the request language (given the response)', () => {
  const missing: string[] = [];
  for (const f of files('server/web', '.ts')) {
    const text = readFileSync(f, 'utf8');
    for (const method of ['render', 'page']) {
      for (const call of callArgs(text, new RegExp(`views\\.${method}\\(`, 'g'))) {
        const args = call.trim();
        if (!/\bres,?$/.test(args))
          missing.push(`${path.relative(ROOT, f)}: views.${method}(${args.slice(0, 60)}…)`);
      }
    }
  }
  assert.deepEqual(missing, [], 'without the response, a view renders in English whatever the reader chose');
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

/** Two English words in a row, once names, roles and the product's name (never translated) are taken out. */
function englishIn(text: string, values: readonly (string | number)[]): boolean {
  let rest = text;
  for (const v of [...values.map(String), ...ROLES, 'Outpost']) rest = rest.split(v).join(' ');
  return /[A-Za-z]{2,}[,.:;)]*\s+[A-Za-z]{2,}/.test(rest) || /^[A-Za-z ,.]+$/.test(rest.trim());
}

// Refusals and audit lines are written by server/auth and server/sync, outside the scan above: each is said here.
test('every access refusal reads without English in Russian and Chinese, with Russian plural forms', () => {
  for (const code of ACCESS_CODES) {
    // A refusal that counts (a plural key) has its number; the others a name and the roles.
    const counts = CATALOGUES.en[`access.${code}.other`] !== undefined;
    const params: Record<string, string | number> = counts
      ? { n: 12 }
      : { name: 'bob', roles: ROLES.join(', ') };
    const err = new AccessError(code, params);
    assert.match(err.message, /[a-z]{2,} [a-z]{2,}/, `${code}: the log keeps English`);
    for (const locale of ['ru', 'zh-CN'] as const) {
      const said = refusalText(translator(locale), err);
      assert.ok(!said.startsWith('access.'), `${locale} ${code}: no catalogue entry`);
      assert.ok(!englishIn(said, Object.values(params)), `${locale} ${code}: English in “${said}”`);
    }
  }
  // The check itself sees English: the English catalogue's sentence fails it.
  assert.ok(englishIn(refusalText(translator('en'), new AccessError('no-user', { name: 'bob' })), ['bob']));
  const ru = translator('ru');
  assert.equal(
    refusalText(ru, new AccessError('password-short', { n: 12 })),
    'Пароль должен содержать не менее 12 символов.',
  );
  assert.equal(
    refusalText(ru, new AccessError('password-short', { n: 21 })),
    'Пароль должен содержать не менее 21 символа.',
  );
});

test('every audit detail line of ours reads without English in Russian and Chinese, with Russian plural forms', () => {
  const sample = {
    role: 'operator',
    time: '2026-12-02T12:00:00.000Z',
    count: 5,
    text: 'alice',
    raw: 'the admission webhook denied the request',
    'tunnel-problem': 'connection-refused',
    'source-kind': 'git',
  } as const;
  type Said = { text: string; support: string | null };
  type Tr = ReturnType<typeof translator>;
  /**
   * Every shape of one family of stored lines, filled with samples of its kinds and said in Russian and Chinese:
   * from the catalogue, times formatted, no English, and an error's own words only under "Details for support".
   */
  function sayEveryShape<S extends string>(
    family: { shapes: readonly S[]; table: Record<S, { kinds: object }>; prefix: string },
    store: (shape: S, params: Record<string, string | number>) => string,
    say: (stored: string, tr: Tr & { fmt: ReturnType<typeof createFormat> }) => Said,
  ) {
    for (const shape of family.shapes) {
      const kinds = family.table[shape].kinds as Readonly<Record<string, keyof typeof sample>>;
      const params = Object.fromEntries(Object.entries(kinds).map(([k, kind]) => [k, sample[kind]]));
      const stored = store(shape, params);
      const quotes = Object.values(kinds).includes('raw');
      for (const locale of ['ru', 'zh-CN'] as const) {
        const tr = translator(locale);
        const said = say(stored, { ...tr, fmt: createFormat(tr) });
        assert.ok(!said.text.startsWith(family.prefix), `${locale} ${shape}: no catalogue entry`);
        assert.ok(!said.text.includes('tunnel.problem.'), `${locale} ${shape}: no catalogue entry`);
        assert.ok(!said.text.includes(sample.time), `${locale} ${shape}: the time is formatted`);
        assert.ok(
          !englishIn(said.text, Object.values(params)),
          `${locale} ${shape}: English in “${said.text}”`,
        );
        assert.ok(!said.text.includes(sample.raw), `${locale} ${shape}: the raw error is in the sentence`);
        assert.equal(said.support, quotes ? sample.raw : null, `${locale} ${shape}: support details`);
      }
    }
  }
  sayEveryShape(
    { shapes: AUDIT_DETAIL_SHAPES, table: AUDIT_DETAILS, prefix: 'audit.d.' },
    (shape, params) => auditDetail(shape, params),
    auditDetailSaid,
  );
  // The messages of runs that did not fail, the same way.
  sayEveryShape(
    { shapes: RUN_MESSAGE_SHAPES, table: RUN_MESSAGES, prefix: 'run.m.' },
    (shape, params) => runMessage(shape, params),
    runMessageSaid,
  );
  const en = translator('en');
  assert.ok(englishIn(auditDetailText(auditDetail('admin-created'), { ...en, fmt: createFormat(en) }), []));
  const ru = translator('ru');
  const say = (line: string) => auditDetailText(line, { ...ru, fmt: createFormat(ru) });
  assert.equal(say('operator → viewer'), 'оператор → наблюдатель');
  assert.match(say(auditDetail('tunnel-requested', { n: 1, at: sample.time })), /^На 1 минуту, до /);
  assert.match(say(auditDetail('tunnel-requested', { n: 3, at: sample.time })), /^На 3 минуты, до /);
  assert.match(say(auditDetail('tunnel-requested', { n: 30, at: sample.time })), /^На 30 минут, до /);
  // Someone else's words (an error from the cluster) are shown as they were written.
  assert.equal(say('connection refused'), 'connection refused');
});
