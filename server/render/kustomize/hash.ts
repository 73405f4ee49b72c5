// The name suffix kustomize gives generated ConfigMaps and Secrets: a hash of their content, bit for bit.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../cluster/types.ts';
import { getOwn, setOwn } from '../own.ts';
import { isRecord } from './resource.ts';

/**
 * JSON as Go's encoding/json writes it: object keys sorted, and `<`, `>`, `&`, U+2028 and U+2029 escaped.
 * The hash is taken over these bytes, so any difference would change every generated name.
 */
export function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (isRecord(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) setOwn(out, k, sorted(getOwn(v, k)));
      return out;
    }
    return v;
  };
  return JSON.stringify(sorted(value)).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

// Ten hex digits, with the letters and digits that could spell words swapped out (kubectl's encoding).
const SWAP: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };

export function encodeHash(json: string): string {
  const hex = createHash('sha256').update(json, 'utf8').digest('hex');
  return [...hex.slice(0, 10)].map((c) => SWAP[c] ?? c).join('');
}

/** Only a map survives as `data`/`binaryData`; anything else (absent included) hashes as the empty string. */
function mapOrEmpty(v: unknown): unknown {
  return isRecord(v) ? v : '';
}

export function contentHash(obj: KubeObject): string {
  // kustomize looks the name up as a single field called "metadata/name", which never exists: the name
  // always hashes as "". Renaming (prefixes, suffixes) therefore never changes the hash.
  const name = '';
  const o = obj as Record<string, unknown>;
  if (obj.kind === 'ConfigMap') {
    const m: Record<string, unknown> = { kind: 'ConfigMap', name, data: mapOrEmpty(o.data) };
    if (isRecord(o.binaryData)) m.binaryData = o.binaryData;
    return encodeHash(goJson(m));
  }
  if (obj.kind === 'Secret') {
    const type = typeof o.type === 'string' ? o.type : '';
    const m: Record<string, unknown> = { kind: 'Secret', type, name, data: mapOrEmpty(o.data) };
    if (isRecord(o.stringData)) m.stringData = o.stringData;
    return encodeHash(goJson(m));
  }
  return encodeHash(goJson(obj));
}
