// Typed reading of a kustomization: wrong types and unknown fields fail with the file and the field's path,
// as kustomize's strict decoder does (a number where a string belongs is an error, not a conversion).
import { RenderError } from '../errors.ts';
import { getOwn, setOwn } from '../own.ts';
import { isRecord } from './resource.ts';

/**
 * Renames, in place, each key of `doc` that matches a known field name but for case to that name: kustomize
 * decodes a kustomization with Go's encoding/json, which matches field names case-insensitively
 * (`patchesJSON6902` is `patchesJson6902`). A later spelling of the same field wins, as there.
 */
export function canonicalFields<T>(doc: T, known: readonly string[]): T {
  if (!isRecord(doc)) return doc;
  const lower = (k: string) => known.find((f) => f.toLowerCase() === k.toLowerCase());
  const keys = Object.keys(doc);
  if (keys.every((k) => known.includes(k) || lower(k) === undefined)) return doc;
  const entries = keys.map((k) => [known.includes(k) ? k : (lower(k) ?? k), doc[k]] as const);
  for (const k of keys) delete doc[k];
  for (const [k, v] of entries) setOwn(doc, k, v);
  return doc;
}

export class Reader {
  readonly file: string;
  readonly path: string;
  readonly value: unknown;

  constructor(file: string, path: string, value: unknown) {
    this.file = file;
    this.path = path;
    this.value = value;
  }

  fail(message: string): never {
    throw new RenderError(`${this.file}: ${this.path ? `${this.path}: ` : ''}${message}`);
  }

  at(key: string | number): Reader {
    const path = typeof key === 'number' ? `${this.path}[${key}]` : this.path ? `${this.path}.${key}` : key;
    const v = isRecord(this.value) && typeof key === 'string' ? getOwn(this.value, key) : undefined;
    const item = Array.isArray(this.value) && typeof key === 'number' ? this.value[key] : v;
    return new Reader(this.file, path, item);
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  /** Fails on any field not in `known`: kustomize refuses unknown fields, and so do we. */
  fields(known: string[]): this {
    if (!this.present) return this;
    if (!isRecord(this.value)) this.fail('must be a mapping');
    canonicalFields(this.value, known);
    for (const k of Object.keys(this.value)) {
      if (!known.includes(k))
        new Reader(this.file, this.path ? `${this.path}.${k}` : k, null).fail('unknown field');
    }
    return this;
  }

  string(): string | undefined {
    if (!this.present) return undefined;
    if (typeof this.value !== 'string') this.fail(`must be a string, not ${typeName(this.value)}`);
    return this.value;
  }

  requiredString(): string {
    const s = this.string();
    if (s === undefined || s === '') this.fail('is required');
    return s;
  }

  bool(): boolean | undefined {
    if (!this.present) return undefined;
    if (typeof this.value !== 'boolean') this.fail(`must be true or false, not ${typeName(this.value)}`);
    return this.value;
  }

  int(): number | undefined {
    if (!this.present) return undefined;
    if (typeof this.value !== 'number' || !Number.isInteger(this.value)) {
      this.fail(`must be an integer, not ${typeName(this.value)}`);
    }
    return this.value;
  }

  list(): Reader[] {
    if (!this.present) return [];
    if (!Array.isArray(this.value)) this.fail(`must be a list, not ${typeName(this.value)}`);
    return this.value.map((_, i) => this.at(i));
  }

  strings(): string[] {
    return this.list().map((r) => r.string() ?? r.fail('must be a string'));
  }

  /** A string → string map (labels, annotations): every value must already be a string. */
  stringMap(): Record<string, string> | undefined {
    if (!this.present) return undefined;
    if (!isRecord(this.value)) this.fail(`must be a mapping, not ${typeName(this.value)}`);
    const out: Record<string, string> = {};
    for (const k of Object.keys(this.value)) setOwn(out, k, this.at(k).string() ?? '', this.file);
    return out;
  }
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (isRecord(v)) return 'a mapping';
  if (typeof v === 'string') return `the string "${v}"`;
  return `${typeof v} ${String(v)}`;
}
