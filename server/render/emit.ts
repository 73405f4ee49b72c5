// Writes rendered objects as multi-document YAML byte for byte as `kubectl kustomize` prints them.
//
// kustomize prints each object through sigs.k8s.io/yaml (JSON, then go-yaml v2's encoder): map keys in
// go-yaml's "natural" order, sequences not indented under their key, strings plain when go-yaml v2 would not
// read them back as anything else, single-quoted when a plain scalar cannot carry them, double-quoted when
// they hold characters only escapes can, literal blocks for multi-line text, and long lines folded at spaces
// past column 80. This is a port of the parts of go-yaml v2's emitter (emitterc.go, encode.go, resolve.go,
// sorter.go) those objects reach; test/unit/render-emit.test.ts holds a table measured against kubectl.
// The objects here are plain JSON values, so no document tree is built (the `yaml` package's stringify costs
// more than the render itself on a few hundred objects).

const BEST_WIDTH = 80;
const BEST_INDENT = 2;
/** go-yaml writes a key longer than this (in UTF-8 bytes) as an explicit `? key` entry. */
const MAX_SIMPLE_KEY_BYTES = 128;

// ---- go-yaml v2's resolve(): would this string, written plain, read back as something else? ----

/** Words go-yaml v2 reads as booleans, null, special floats or a merge key. */
const RESOLVED_WORDS = new Set(
  [
    'y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF',
    '~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF',
  ]
    .join(' ')
    .split(' '),
);
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** Go's strconv.ParseInt with base 0 (sign, then 0x / 0o / 0b / leading-0 octal / decimal). */
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
/** strconv.ParseFloat on a string starting with `.` (digits with single underscores between them). */
const DOT_FLOAT = /^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/;
const TIMESTAMP =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2}))|(?: ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]+)?))?$/;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** go-yaml v2's parseTimestamp: the four layouts it tries with time.Parse, with Go's range checks. */
function isTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  const h = m[4] ?? m[7];
  if (h === undefined) return true;
  return Number(h) < 24 && Number(m[5] ?? m[8]) < 60 && Number(m[6] ?? m[9]) < 60;
}

function isGoInt(plain: string): boolean {
  const m = GO_INT.exec(plain);
  if (!m) return false;
  const body = m[2] as string;
  const p = body.slice(0, 2).toLowerCase();
  const digits =
    p === '0x' || p === '0o' || p === '0b'
      ? `${p}${body.slice(2)}`
      : body.length > 1 && body[0] === '0'
        ? `0o${body.slice(1)}`
        : body;
  const v = BigInt(digits);
  const signed = m[1] === '-' ? -v : v;
  // ParseInt, else ParseUint (which takes no sign).
  return (signed >= INT64_MIN && signed <= INT64_MAX) || (m[1] === '' && v <= UINT64_MAX);
}

/** True when go-yaml v2 reads `s`, written plain, back as the same string (encode.go stringv's canUsePlain). */
export function resolvesToString(s: string): boolean {
  if (s === '' || RESOLVED_WORDS.has(s)) return false;
  const c = s.charCodeAt(0);
  if (c === 0x2e /* . */) return !DOT_FLOAT.test(s);
  const digit = c >= 0x30 && c <= 0x39;
  if (!digit && c !== 0x2b && c !== 0x2d) return true;
  if (isTimestamp(s)) return false;
  const plain = s.replaceAll('_', '');
  if (isGoInt(plain)) return false;
  if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) return false;
  if (/^0b[-+]?[01]+$/.test(plain)) return false;
  return !BASE60_FLOAT.test(s);
}

// ---- characters, as go-yaml's emitter classifies them ----

function isPrintable(c: number): boolean {
  return (
    c === 0x0a ||
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)
  );
}
const isBreak = (c: number) => c === 0x0d || c === 0x0a || c === 0x85 || c === 0x2028 || c === 0x2029;
const isBlank = (c: number) => c === 0x20 || c === 0x09;
const isBlankOrBreak = (c: number) => isBlank(c) || isBreak(c) || c === 0;

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0) as number);
  return out;
}

function utf8Length(cps: readonly number[]): number {
  let n = 0;
  for (const c of cps) n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  return n;
}

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** What yaml_emitter_analyze_scalar learns of a scalar in one pass, before it decides the styles allowed. */
interface Scan {
  indicators: boolean;
  lineBreaks: boolean;
  special: boolean;
  leadingSpace: boolean;
  leadingBreak: boolean;
  trailingSpace: boolean;
  trailingBreak: boolean;
  breakSpace: boolean;
  spaceBreak: boolean;
}

/** A document marker (`---`, `...`) at the start reads as an indicator. */
function startsWithMarker(v: readonly number[]): boolean {
  return (
    v.length >= 3 &&
    ((v[0] === 0x2d && v[1] === 0x2d && v[2] === 0x2d) || (v[0] === 0x2e && v[1] === 0x2e && v[2] === 0x2e))
  );
}

/** Whether the character at `i` is a YAML indicator where it stands (flow indicators count: go-yaml's rule). */
function indicatorAt(v: readonly number[], i: number, precededByWhitespace: boolean): boolean {
  const c = v[i] as number;
  const followedByWhitespace = i + 1 >= v.length || isBlank(v[i + 1] as number);
  if (i === 0) {
    if ('#,[]{}&*!|>\'"%@`'.includes(String.fromCodePoint(c))) return true;
    return (c === 0x3f || c === 0x3a || c === 0x2d) && followedByWhitespace;
  }
  if (c === 0x3a && followedByWhitespace) return true;
  return c === 0x23 && precededByWhitespace;
}

/** yaml_emitter_analyze_scalar's pass: indicators, and where spaces and line breaks stand. */
function scan(v: readonly number[]): Scan {
  const f: Scan = {
    indicators: startsWithMarker(v),
    lineBreaks: false,
    special: false,
    leadingSpace: false,
    leadingBreak: false,
    trailingSpace: false,
    trailingBreak: false,
    breakSpace: false,
    spaceBreak: false,
  };
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  const last = v.length - 1;
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as number;
    if (indicatorAt(v, i, precededByWhitespace)) f.indicators = true;
    if (!isPrintable(c)) f.special = true;
    const space = c === 0x20;
    const lineBreak = !space && isBreak(c);
    if (space) {
      if (i === 0) f.leadingSpace = true;
      if (i === last) f.trailingSpace = true;
      if (previousBreak) f.breakSpace = true;
    } else if (lineBreak) {
      f.lineBreaks = true;
      if (i === 0) f.leadingBreak = true;
      if (i === last) f.trailingBreak = true;
      if (previousSpace) f.spaceBreak = true;
    }
    previousSpace = space;
    previousBreak = lineBreak;
    precededByWhitespace = isBlankOrBreak(c);
  }
  return f;
}

/** yaml_emitter_analyze_scalar, for block context (nothing here is written in flow style). */
function analyze(v: readonly number[]): Analysis {
  if (v.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  const f = scan(v);
  const a: Analysis = {
    multiline: f.lineBreaks,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
  };
  if (f.leadingSpace || f.leadingBreak || f.trailingSpace || f.trailingBreak) a.blockPlainAllowed = false;
  if (f.trailingSpace) a.blockAllowed = false;
  if (f.breakSpace) {
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
  }
  if (f.spaceBreak || f.special) {
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
    a.blockAllowed = false;
  }
  if (f.lineBreaks || f.indicators) a.blockPlainAllowed = false;
  return a;
}

type Style = 'plain' | 'single' | 'double' | 'literal';

/** encode.go stringv's choice, corrected by yaml_emitter_select_scalar_style. */
function stringStyle(s: string, a: Analysis, simpleKey: boolean): Style {
  let style: Style = s.includes('\n') ? 'literal' : resolvesToString(s) ? 'plain' : 'double';
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain' && !a.blockPlainAllowed) style = 'single';
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
  return style;
}

/** A character a double-quoted scalar writes as an escape. */
const mustEscape = (c: number) => !isPrintable(c) || isBreak(c) || c === 0x22 || c === 0x5c;

const ESCAPES: Record<number, string> = {
  0: '0',
  7: 'a',
  8: 'b',
  9: 't',
  10: 'n',
  11: 'v',
  12: 'f',
  13: 'r',
  27: 'e',
  34: '"',
  92: '\\',
  133: 'N',
  160: '_',
  8232: 'L',
  8233: 'P',
};

function escaped(c: number): string {
  const named = ESCAPES[c];
  if (named !== undefined) return `\\${named}`;
  const hex = c.toString(16).toUpperCase();
  if (c <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (c <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64), as go-yaml writes a float. */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (!Number.isFinite(f)) return f > 0 ? '.inf' : '-.inf';
  const [mantissa, expText] = f.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(f);
}

/**
 * A JSON number as it comes out of sigs.k8s.io/yaml: go-yaml v2 reads an integer that fits 64 bits back as
 * an integer, anything else as a float.
 */
function number(v: number): string {
  if (Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 64) return BigInt(v).toString();
  return goFloat(v);
}

// ---- go-yaml v2's natural key order (sorter.go) ----

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;
const isLetter = (c: number) =>
  c < 0x80 ? (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) : LETTER.test(String.fromCodePoint(c));
const isDigit = (c: number) => (c < 0x80 ? c >= 0x30 && c <= 0x39 : DIGIT.test(String.fromCodePoint(c)));

/** keyList.Less for two string keys: letters before other characters, digit runs compared as numbers. */
export function goKeyLess(a: string, b: string): boolean {
  const ar = codePoints(a);
  const br = codePoints(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i] as number;
    const y = br[i] as number;
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return x < y;
    if (al || bl) return bl;
    return digitsLess(ar, br, i);
  }
  return ar.length < br.length;
}

/**
 * keyList.Less where `a` and `b` first differ at `i` and neither is a letter there: the digit runs from `i`
 * compared as numbers (a zero after a non-zero digit of the same run counts), then by length, then the
 * characters themselves.
 */
function digitsLess(ar: readonly number[], br: readonly number[], i: number): boolean {
  const x = ar[i] as number;
  const y = br[i] as number;
  let an = 0;
  let bn = 0;
  if ((x === 0x30 || y === 0x30) && nonZeroBefore(ar, i)) {
    an = 1;
    bn = 1;
  }
  let ai = i;
  for (; ai < ar.length && isDigit(ar[ai] as number); ai++) an = an * 10 + ((ar[ai] as number) - 0x30);
  let bi = i;
  for (; bi < br.length && isDigit(br[bi] as number); bi++) bn = bn * 10 + ((br[bi] as number) - 0x30);
  if (an !== bn) return an < bn;
  if (ai !== bi) return ai < bi;
  return x < y;
}

/** Whether the digit run ending just before `i` holds a digit other than zero. */
function nonZeroBefore(ar: readonly number[], i: number): boolean {
  for (let j = i - 1; j >= 0 && isDigit(ar[j] as number); j--) {
    if (ar[j] !== 0x30) return true;
  }
  return false;
}

const byGoKey = (a: string, b: string) => (a === b ? 0 : goKeyLess(a, b) ? -1 : goKeyLess(b, a) ? 1 : 0);

// ---- the emitter ----

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Emitter {
  out = '';
  column = 0;
  whitespace = true;
  indention = true;
  indent = -1;

  put(text: string, width = text.length): void {
    this.out += text;
    this.column += width;
  }

  putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.putBreak();
    if (this.column < indent) this.put(' '.repeat(indent - this.column));
    this.whitespace = true;
    this.indention = true;
  }

  indicator(text: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(text);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  /** One character of a scalar: line breaks reset the column, as write_break does. */
  writeBreak(c: number): void {
    if (c === 0x0a) this.putBreak();
    else {
      this.out += String.fromCodePoint(c);
      this.column = 0;
    }
  }

  increaseIndent(flow: boolean, indentless: boolean): void {
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  node(v: unknown, mapping: boolean, simpleKey: boolean): void {
    if (Array.isArray(v)) this.sequence(v, mapping);
    else if (isMap(v)) this.mapping(v);
    else this.scalar(v, simpleKey);
  }

  sequence(items: readonly unknown[], mapping: boolean): void {
    if (items.length === 0) {
      this.indicator('[', true, true, false);
      this.indicator(']', false, false, false);
      return;
    }
    const saved = this.indent;
    this.increaseIndent(false, mapping && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.indicator('-', true, false, true);
      // JSON writes an undefined array element as null.
      this.node(item === undefined ? null : item, false, false);
    }
    this.indent = saved;
  }

  mapping(o: Record<string, unknown>): void {
    const keys = Object.keys(o).filter((k) => o[k] !== undefined);
    if (keys.length === 0) {
      this.indicator('{', true, true, false);
      this.indicator('}', false, false, false);
      return;
    }
    keys.sort(byGoKey);
    const saved = this.indent;
    this.increaseIndent(false, false);
    for (const k of keys) {
      this.writeIndent();
      const cps = codePoints(k);
      const a = analyze(cps);
      if (!a.multiline && utf8Length(cps) <= MAX_SIMPLE_KEY_BYTES) {
        this.string(k, cps, a, true);
        this.indicator(':', false, false, false);
      } else {
        this.indicator('?', true, false, true);
        this.string(k, cps, a, false);
        this.writeIndent();
        this.indicator(':', true, false, true);
      }
      this.node(o[k], true, false);
    }
    this.indent = saved;
  }

  scalar(v: unknown, simpleKey: boolean): void {
    if (typeof v === 'string') {
      const cps = codePoints(v);
      this.string(v, cps, analyze(cps), simpleKey);
      return;
    }
    const text =
      v === null || v === undefined
        ? 'null'
        : typeof v === 'number'
          ? number(v)
          : typeof v === 'bigint'
            ? v.toString()
            : String(v);
    if (!this.whitespace) this.put(' ');
    this.put(text);
    this.whitespace = false;
    this.indention = false;
  }

  string(s: string, cps: readonly number[], a: Analysis, simpleKey: boolean): void {
    const style = stringStyle(s, a, simpleKey);
    const saved = this.indent;
    this.increaseIndent(true, false);
    if (style === 'literal') this.literal(cps);
    else this.flowScalar(s, cps, style, !simpleKey);
    this.indent = saved;
  }

  /** yaml_emitter_write_{plain,single_quoted,double_quoted}_scalar. */
  flowScalar(s: string, v: readonly number[], style: Style, allowBreaks: boolean): void {
    if (this.openFlow(s, v, style, allowBreaks)) return;
    const bom = v[0] === 0xfeff;
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < v.length; i++) {
      const c = v[i] as number;
      if (style === 'double' && (bom || mustEscape(c))) {
        this.put(escaped(c));
        spaces = false;
      } else if (c === 0x20) {
        this.flowSpace(v, i, style, allowBreaks && !spaces);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (style === 'single' && c === 0x27) this.put("'");
        this.put(String.fromCodePoint(c), 1);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    if (style !== 'plain') this.indicator(style === 'single' ? "'" : '"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  /**
   * The start of a flow scalar: its opening quote, or (plain) the separating space. A plain scalar that needs
   * no folding is written whole here; returns true when it was.
   */
  openFlow(s: string, v: readonly number[], style: Style, allowBreaks: boolean): boolean {
    if (style !== 'plain') {
      this.indicator(style === 'single' ? "'" : '"', true, false, false);
      return false;
    }
    if (!this.whitespace) this.put(' ');
    // Nothing to fold when every character fits before the width (UTF-16 length >= characters).
    if (allowBreaks && this.column + s.length > BEST_WIDTH) return false;
    this.put(s, v.length);
    this.whitespace = false;
    this.indention = false;
    return true;
  }

  /**
   * A space at `i`: folded into a line break past the width (`mayFold`: breaks allowed, not right after
   * another space), unless it is a quoted scalar's first or last character; a double-quoted scalar escapes
   * a following space so it survives the fold.
   */
  flowSpace(v: readonly number[], i: number, style: Style, mayFold: boolean): void {
    const next = v[i + 1];
    const inside = style === 'plain' || (i > 0 && i < v.length - 1);
    if (mayFold && this.column > BEST_WIDTH && inside && (style === 'double' || next !== 0x20)) {
      this.writeIndent();
      if (style === 'double' && next === 0x20) this.put('\\');
    } else this.put(' ');
  }

  /** yaml_emitter_write_literal_scalar with its block scalar hints. */
  literal(v: readonly number[]): void {
    this.indicator('|', true, false, false);
    if (v[0] === 0x20 || isBreak(v[0] as number)) this.indicator(String(BEST_INDENT), false, false, false);
    const last = v.length - 1;
    let chomp = '';
    if (!isBreak(v[last] as number)) chomp = '-';
    else if (last === 0 || isBreak(v[last - 1] as number)) chomp = '+';
    if (chomp) this.indicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of v) {
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(String.fromCodePoint(c), 1);
        this.indention = false;
        breaks = false;
      }
    }
  }

  /** The end of a document: the last line ends with a line break. */
  end(): string {
    this.indent = -1;
    this.writeIndent();
    return this.out;
  }
}

/** One value as sigs.k8s.io/yaml's Marshal writes it. */
export function marshal(v: unknown): string {
  const e = new Emitter();
  e.node(v, false, false);
  return e.end();
}

/** Objects as multi-document YAML, as `kubectl kustomize` prints them. */
export function toYaml(objects: readonly unknown[]): string {
  return objects.map(marshal).join('---\n');
}
