// Writes rendered objects as multi-document YAML, fast, and quoted so YAML 1.1 and 1.2 readers agree.
//
// The `yaml` package's stringify builds a document tree first and costs more than the render itself on a
// few hundred objects; the objects here are plain JSON values, so a direct writer is enough. A string is
// written plain only when no reader could take it for anything else (a number, a boolean, `null`, a date, a
// YAML indicator); multi-line strings become literal blocks; everything else is double-quoted JSON, which
// is valid YAML. test/unit/render-emit.test.ts checks the round trip with random input.

// Words that YAML 1.1 (Kubernetes' reader) or 1.2 resolve to booleans, null or special floats.
const SPECIAL = new Set(
  [
    'y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF',
    'null Null NULL ~ .inf .Inf .INF -.inf -.Inf -.INF +.inf +.Inf +.INF .nan .NaN .NAN',
  ]
    .join(' ')
    .split(' '),
);

const SAFE_START = /^[\p{L}\p{N}_./$]/u;
// Control characters (C0, DEL, C1), line/paragraph separators, BOM and lone surrogates.
const UNPRINTABLE = /[\p{Cc}\u2028\u2029\ufeff]|\p{Cs}/u;

function plainOk(s: string): boolean {
  if (s === '' || s.trim() !== s || !SAFE_START.test(s)) return false;
  if (UNPRINTABLE.test(s)) return false;
  if (s.includes(': ') || s.endsWith(':') || s.includes(' #') || SPECIAL.has(s)) return false;
  if (/^[-+.0-9]/.test(s)) {
    // Anything a 1.1 reader might take for a number, a sexagesimal or a date stays quoted.
    if (/^[-+]?[0-9._:eE+-]+$/.test(s) || /^0[xob]/i.test(s) || /^\d{4}-\d\d?-\d\d?/.test(s)) return false;
    if (/^[0-9]/.test(s) && s.includes(':')) return false;
  }
  return true;
}

function quoted(s: string): string {
  // JSON leaves these raw; YAML readers would take some of them for line breaks.
  return JSON.stringify(s).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A literal block (`|`) for multi-line text, when its characters allow one; else null. */
function block(s: string, indent: string): string | null {
  if (!s.includes('\n') || UNPRINTABLE.test(s.replace(/[\n\t]/g, '')) || s.trim() === '') return null;
  // Counted by hand: `/\n+$/` retries at every line break and is quadratic in a long run of them.
  let trailing = 0;
  while (s[s.length - 1 - trailing] === '\n') trailing++;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  // The last line break is the one that ends the block's last line; `+` keeps the empty lines before it.
  const body = trailing === 0 ? s : s.slice(0, -1);
  const lines = body.split('\n');
  const firstText = lines.find((l) => l !== '') ?? '';
  // A first line starting with a space would otherwise be read as the block's indentation.
  const indicator = /^[ \t]/.test(firstText) ? '2' : '';
  const text = lines.map((l) => (l === '' ? '' : `${indent}${l}`)).join('\n');
  return `|${indicator}${chomp}\n${text}`;
}

function scalar(v: unknown, indent: string): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return String(v);
  }
  if (typeof v === 'bigint') return String(v);
  const s = String(v);
  if (plainOk(s)) return s;
  return block(s, indent) ?? quoted(s);
}

function key(k: string): string {
  return plainOk(k) ? k : quoted(k);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function write(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if ((isMap(item) && Object.keys(item).length > 0) || (Array.isArray(item) && item.length > 0)) {
        // The item's first line goes after the dash; the rest keep the item's indentation.
        const lines: string[] = [];
        write(item, `${indent}  `, lines);
        out.push(`${indent}- ${(lines[0] as string).slice(indent.length + 2)}`, ...lines.slice(1));
      } else out.push(`${indent}- ${inline(item, `${indent}  `)}`);
    }
    return;
  }
  if (isMap(v)) {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) continue;
      const nested = (isMap(val) && Object.keys(val).length > 0) || (Array.isArray(val) && val.length > 0);
      if (nested) {
        out.push(`${indent}${key(k)}:`);
        write(val, `${indent}  `, out);
      } else out.push(`${indent}${key(k)}: ${inline(val, `${indent}  `)}`);
    }
  }
}

/** An empty collection or a scalar, on the line of its key or dash. */
function inline(v: unknown, indent: string): string {
  if (Array.isArray(v)) return '[]';
  if (isMap(v)) return '{}';
  return scalar(v, indent);
}

/** `apiVersion`, `kind`, `metadata` (name and namespace first) lead, as people expect to read them. */
function conventional(o: Record<string, unknown>): Record<string, unknown> {
  const { apiVersion, kind, metadata, ...rest } = o;
  let meta = metadata;
  if (isMap(metadata)) {
    const { name, namespace, ...others } = metadata;
    meta = { name, namespace, ...others };
  }
  return { apiVersion, kind, metadata: meta, ...rest };
}

/** Objects as multi-document YAML. */
export function toYaml(objects: readonly unknown[]): string {
  return objects
    .map((o) => {
      const lines: string[] = [];
      if (isMap(o)) write(conventional(o), '', lines);
      else if (Array.isArray(o)) write(o, '', lines);
      return `${lines.length > 0 ? lines.join('\n') : inline(o, '')}\n`;
    })
    .join('---\n');
}
