// `${VAR}` substitution on rendered objects, with the semantics of Flux's postBuild (fluxcd/pkg/envsubst).
//
// What operators can write (each checked against Flux's envsubst fork):
//   ${VAR}                 the value; unset is "" — or, in strict mode, an error naming VAR and the object
//   ${VAR:=default}        the default when VAR is unset or empty (also `:-`, `=`, `:+`, `:?`, which Flux
//                          all treats as "default when empty"); the default may itself contain ${OTHER}
//   $${VAR}                escape: the literal text ${VAR} (any `$$` becomes `$`)
//   $VAR                   not an expression: left as is (only the braced form is substituted)
//   ${#VAR} ${VAR^} ${VAR^^} ${VAR,} ${VAR,,} ${VAR:1:3} ${VAR#glob} ${VAR##glob} ${VAR%glob} ${VAR%%glob}
//   ${VAR/from/to} ${VAR//from/to} ${VAR/#from/to} ${VAR/%from/to}   bash-style functions, as in Flux
// `${}`, `${VAR` and `${VAR-default}` are errors, as in Flux. Variable names must match
// ^[_a-zA-Z][_a-zA-Z0-9]*$, and newlines are removed from values (Flux does both). With no variables at all,
// nothing is substituted. Objects labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`
// are left alone.
//
// Flux substitutes the YAML text, then reads it back: `replicas: ${REPLICAS}` becomes the number 3, while
// `"${PORT}"` (quoted) stays a string. We substitute value by value; a string that was a plain (unquoted)
// scalar in the source — the caller passes those in `plain` — is read back as YAML the same way.
import type { KubeObject } from '../cluster/types.ts';
import { RenderError } from './errors.ts';
import { describe } from './kustomize/resource.ts';
import { setOwn } from './own.ts';
import { type Pattern, re2 } from './re2.ts';
import { parseDocument, templateKey, YAML_11_OPTIONS } from './yaml.ts';

export type Vars = Readonly<Record<string, string>>;

const VAR_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const IDENT = /[\p{L}\p{Nd}_]/u;
const DEFAULT_OPS = new Set(['-', '+', '=', '?', ':-', ':+', ':=', ':?']);
export const DISABLE_KEY = 'kustomize.toolkit.fluxcd.io/substitute';

type Node = string | { param: string; op: string; args: Node[][] };

class Parser {
  s: string;
  i = 0;

  constructor(s: string) {
    this.s = s;
  }

  fail(message: string): never {
    throw new RenderError(`${message} in "${this.s}"`);
  }

  /** Top-level text: everything up to the next `${`, with `$$` read as an escaped `$`. */
  text(): string {
    let out = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i] as string;
      if (c === '$' && this.s[this.i + 1] === '{') break;
      if (c === '$' && this.s[this.i + 1] === '$') {
        out += '$';
        this.i += 2;
        continue;
      }
      out += c;
      this.i++;
    }
    return out;
  }

  all(): Node[] {
    const nodes: Node[] = [];
    while (this.i < this.s.length) {
      if (this.s.startsWith('${', this.i)) {
        this.i += 2;
        nodes.push(this.func());
      } else nodes.push(this.text());
    }
    return nodes;
  }

  peek(): string | undefined {
    return this.s[this.i];
  }

  close(): void {
    if (this.peek() !== '}') this.fail('bad substitution');
    this.i++;
  }

  /** Reads characters while `accept(char, index-from-start)` holds. */
  take(accept: (c: string, n: number) => boolean): string {
    const start = this.i;
    while (this.i < this.s.length && accept(this.s[this.i] as string, this.i - start + 1)) this.i++;
    return this.s.slice(start, this.i);
  }

  /** One argument: a nested `${…}`, or text up to a stop character (escapes only where Flux reads them). */
  param(stop: (c: string) => boolean, escapes: boolean): Node {
    if (this.s.startsWith('${', this.i)) {
      this.i += 2;
      return this.func();
    }
    let out = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i] as string;
      const next = this.s[this.i + 1];
      if (c === '$' && next === '{') break;
      if (escapes && ((c === '$' && next === '$') || (c === '\\' && (next === '/' || next === '\\')))) {
        out += next;
        this.i += 2;
        continue;
      }
      if (stop(c)) break;
      out += c;
      this.i++;
    }
    if (out === '' && (this.i >= this.s.length || stop(this.s[this.i] as string))) {
      this.fail('unable to parse substitution within function');
    }
    return out;
  }

  func(): Node {
    if (this.peek() === '#') {
      this.i++;
      const param = this.take((c) => IDENT.test(c));
      if (!param) this.fail('bad substitution');
      this.close();
      return { param, op: '#', args: [] };
    }
    const param = this.take((c) => IDENT.test(c));
    if (!param) this.fail('unable to parse variable name');
    const c = this.peek();
    const notClosing = (ch: string) => ch === '}';
    if (c === ':' && '=-?+'.includes(this.s[this.i + 1] ?? 'x')) return this.defaults(param, 2);
    if (c === '=') return this.defaults(param, 1);
    if (c === ':') {
      this.i++;
      const args: Node[][] = [[this.param((ch) => ch === ':' || ch === '}', false)]];
      if (this.peek() === ':') {
        this.i++;
        args.push([this.param(notClosing, false)]);
      }
      this.close();
      return { param, op: ':', args };
    }
    if (c === ',' || c === '^') {
      const op = this.take((ch, n) => (ch === ',' || ch === '^') && n < 3);
      this.close();
      return { param, op, args: [] };
    }
    if (c === '/') {
      const op = this.take((ch, n) => (n === 1 && ch === '/') || (n === 2 && '/#%'.includes(ch)));
      const args: Node[][] = [[this.peek() === '/' ? '' : this.param((ch) => ch === '/', true)]];
      // Flux reads the delimiter as a run of slashes.
      if (this.take((ch) => ch === '/') === '') this.fail('bad substitution');
      if (this.peek() !== '}') args.push([this.param(notClosing, true)]);
      this.close();
      return { param, op, args };
    }
    if (c === '#' || c === '%') {
      const op = this.take((ch, n) => ch === c && n < 3);
      const args = [[this.param(notClosing, false)]];
      this.close();
      return { param, op, args };
    }
    if (c !== '}') this.fail('missing closing brace');
    this.i++;
    return { param, op: '', args: [] };
  }

  defaults(param: string, width: number): Node {
    const op = this.s.slice(this.i, this.i + width);
    this.i += width;
    const parts: Node[] = [];
    while (this.peek() !== '}') {
      if (this.i >= this.s.length) this.fail('unable to parse substitution within function');
      parts.push(this.param((ch) => ch === '}', false));
    }
    this.i++;
    return { param, op, args: [parts] };
  }
}

/** Go's path.Match as an RE2 expression (linear time; the glob is fleet content): `*` and `?` stop at `/`, classes, backslash escapes. */
function globPattern(glob: string): Pattern | null {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < glob.length) re += `\\${glob[++i]}`;
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) return null; // an unclosed class matches nothing, as path.Match
      const body = glob
        .slice(i + 1, end)
        .replace(/^\^/, '^')
        .replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return re2(`^${re}$`, `pattern "${glob}"`, { dotAll: true });
}

const reverse = (s: string) => [...s].reverse().join('');

function trim(s: string, glob: string, longest: boolean): string {
  const re = globPattern(glob);
  if (!re) return s;
  let match = '';
  for (let i = 0; i < s.length; i++) {
    const prefix = s.slice(0, s.length - i);
    if (re.test(prefix)) {
      match = prefix;
      if (longest) break;
    }
  }
  return match ? s.slice(match.length) : s;
}

function apply(op: string, v: string, args: string[]): string {
  const [a = '', b = ''] = args;
  switch (op) {
    case ',':
      return v ? v.charAt(0).toLowerCase() + v.slice(1) : v;
    case ',,':
      return v.toLowerCase();
    case '^':
      return v ? v.charAt(0).toUpperCase() + v.slice(1) : v;
    case '^^':
      return v.toUpperCase();
    case '#':
      return args.length === 0 ? String(Buffer.byteLength(v)) : trim(v, a, false);
    case '##':
      return trim(v, a, true);
    case '%':
      return reverse(trim(reverse(v), reverse(a), false));
    case '%%':
      return reverse(trim(reverse(v), reverse(a), true));
    case ':':
      return substr(v, args);
    case '/#':
      return args.length === 2 && v.startsWith(a) ? b + v.slice(a.length) : v;
    case '/%':
      return args.length === 2 && v.endsWith(a) ? v.slice(0, v.length - a.length) + b : v;
    case '/':
      return v.replace(a, () => b);
    case '//':
      // Go's strings.Replace with an empty pattern inserts the replacement around every character.
      return a === '' ? b + [...v].join(b) + (v === '' ? '' : b) : v.split(a).join(b);
    default:
      return v === '' && args.length > 0 ? args.join('') : v;
  }
}

function substr(v: string, args: string[]): string {
  if (!/^[-+]?\d+$/.test(args[0] ?? '')) return v;
  let pos = Number(args[0]);
  if (pos < 0) pos = Math.max(0, v.length + pos);
  if (args.length === 1) return pos < v.length ? v.slice(pos) : '';
  if (!/^[-+]?\d+$/.test(args[1] ?? '')) return v;
  const len = Number(args[1]);
  if (len < 0) {
    const end = v.length + len;
    return end < pos ? '' : v.slice(pos, end);
  }
  if (pos + len >= v.length) return pos < v.length ? v.slice(pos) : '';
  return v.slice(pos, pos + len);
}

function evaluate(nodes: Node[], vars: Vars, strict: boolean): string {
  let out = '';
  for (const n of nodes) {
    if (typeof n === 'string') {
      out += n;
      continue;
    }
    const args = n.args.map((parts) => evaluate(parts, vars, strict));
    const set = Object.hasOwn(vars, n.param);
    if (!set && strict && !DEFAULT_OPS.has(n.op)) {
      throw new RenderError(`variable "${n.param}" is not set (strict mode)`);
    }
    out += apply(n.op, set ? (vars[n.param] as string) : '', args);
  }
  return out;
}

/** Substitutes one string. */
export function substituteText(text: string, vars: Vars, strict = false): string {
  if (!text.includes('$')) return text;
  return evaluate(new Parser(text).all(), vars, strict);
}

function checkVars(vars: Vars): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (!VAR_NAME.test(k))
      throw new RenderError(`variable name "${k}" is invalid: it must match ${VAR_NAME.source}`);
    setOwn(out, k, v.replaceAll('\n', ''), 'variables');
  }
  return out;
}

function disabled(obj: KubeObject): boolean {
  return (
    obj.metadata?.labels?.[DISABLE_KEY] === 'disabled' ||
    obj.metadata?.annotations?.[DISABLE_KEY] === 'disabled'
  );
}

function retype(text: string): unknown {
  try {
    // Our bounded reader: a variable's value is fleet or site data too (depth, size, `__proto__`).
    return parseDocument(text, 'substituted value', YAML_11_OPTIONS);
  } catch (err) {
    throw new RenderError(`the result "${text}" is not a valid YAML value (${(err as Error).message})`, {
      cause: err,
    });
  }
}

function walk(v: unknown, key: string, vars: Vars, strict: boolean, plain: ReadonlySet<string>): unknown {
  if (typeof v === 'string') {
    if (!v.includes('$')) return v;
    const out = substituteText(v, vars, strict);
    return plain.has(templateKey(key, v)) ? retype(out) : out;
  }
  if (Array.isArray(v)) return v.map((el) => walk(el, key, vars, strict, plain));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) {
      setOwn(out, k.includes('$') ? substituteText(k, vars, strict) : k, walk(val, k, vars, strict, plain));
    }
    return out;
  }
  return v;
}

/**
 * Substitutes variables in a string, or in every string (and key) of every object. Pure: returns new values.
 * `plain` holds the unquoted YAML scalars (as templateKey(map key, text)); their results are read back as
 * YAML values, so `replicas: ${N}` becomes a number.
 */
export function substitute(input: string, vars: Vars, strict?: boolean): string;
export function substitute(
  input: readonly KubeObject[],
  vars: Vars,
  strict?: boolean,
  plain?: ReadonlySet<string>,
): KubeObject[];
export function substitute(
  input: string | readonly KubeObject[],
  vars: Vars,
  strict = false,
  plain: ReadonlySet<string> = new Set(),
): string | KubeObject[] {
  const checked = checkVars(vars);
  if (typeof input === 'string') {
    return Object.keys(checked).length === 0 ? input : substituteText(input, checked, strict);
  }
  if (Object.keys(checked).length === 0) return [...input];
  return input.map((obj) => {
    if (disabled(obj)) return obj;
    try {
      return walk(obj, '', checked, strict, plain) as KubeObject;
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      throw new RenderError(`${describe(obj)}: ${err.message}`, { cause: err });
    }
  });
}
