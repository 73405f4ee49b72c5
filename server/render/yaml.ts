// Multi-document YAML parsing with limits: aliases, documents and size are capped before anything is built.
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../cluster/types.ts';
import { RenderError } from './errors.ts';

export const YAML_LIMITS = { maxAliasCount: 100, maxDocuments: 2_000, maxBytes: 1024 * 1024 };

/** Parses every document of one file; empty documents are dropped, `kind: List` is expanded. */
export function parseManifests(text: string, file: string): KubeObject[] {
  if (Buffer.byteLength(text) > YAML_LIMITS.maxBytes) {
    throw new RenderError(`${file}: larger than ${YAML_LIMITS.maxBytes} bytes`);
  }
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > YAML_LIMITS.maxDocuments) {
    throw new RenderError(`${file}: more than ${YAML_LIMITS.maxDocuments} YAML documents`);
  }
  const out: KubeObject[] = [];
  list.forEach((doc, i) => {
    const where = list.length > 1 ? `${file} (document ${i + 1})` : file;
    const problem = doc.errors[0];
    if (problem) {
      const line = problem.linePos?.[0]?.line;
      throw new RenderError(
        `${where}: not valid YAML${line ? ` at line ${line}` : ''}: ${problem.message.split('\n')[0]}`,
        {
          cause: problem,
        },
      );
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
    } catch (err) {
      throw new RenderError(`${where}: ${(err as Error).message}`, { cause: err });
    }
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new RenderError(`${where}: a manifest must be a mapping with apiVersion, kind and metadata`);
    }
    const obj = value as KubeObject;
    if (obj.kind === 'List' && Array.isArray((obj as { items?: unknown }).items)) {
      for (const item of (obj as unknown as { items: KubeObject[] }).items) out.push(item);
      return;
    }
    out.push(obj);
  });
  return out;
}
