// Content-addressed revisions: the desired state as fetched (files) and as rendered (objects).
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KubeObject, ObjectRef } from '../cluster/types.ts';
import type { Db } from './open.ts';

export type RevisionStatus = 'stored' | 'applied' | 'failed';

export interface RevisionInput {
  digest: string;
  sourceKind: string;
  sourceUrl: string;
  sourceRef?: string | undefined;
  sourcePath: string;
  version?: string | undefined;
  signer?: string | undefined;
  files: Record<string, string>;
  objects: KubeObject[];
}

export interface RevisionSummary {
  id: number;
  digest: string;
  sourceKind: string;
  sourceUrl: string;
  sourceRef: string | null;
  sourcePath: string;
  version: string | null;
  signer: string | null;
  fetchedAt: string;
  objectCount: number;
  status: RevisionStatus;
  message: string | null;
  pinned: boolean;
}

interface Row {
  id: number;
  digest: string;
  source_kind: string;
  source_url: string;
  source_ref: string | null;
  source_path: string;
  version: string | null;
  signer: string | null;
  fetched_at: string;
  object_count: number;
  status: RevisionStatus;
  message: string | null;
  pinned: number;
}

const SUMMARY_COLUMNS =
  'id, digest, source_kind, source_url, source_ref, source_path, version, signer, fetched_at, object_count, status, message, pinned';

function toSummary(r: Row): RevisionSummary {
  return {
    id: r.id,
    digest: r.digest,
    sourceKind: r.source_kind,
    sourceUrl: r.source_url,
    sourceRef: r.source_ref,
    sourcePath: r.source_path,
    version: r.version,
    signer: r.signer,
    fetchedAt: r.fetched_at,
    objectCount: r.object_count,
    status: r.status,
    message: r.message,
    pinned: r.pinned === 1,
  };
}

/** Short form of a digest for people: the first 12 hex characters. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** Stores a revision unless the same content is already stored; returns its id. Durable on return. */
export function storeRevision(
  db: Db,
  rev: RevisionInput,
  now = new Date(),
): { id: number; created: boolean } {
  const existing = db.prepare('SELECT id FROM revisions WHERE digest = ?').get(rev.digest) as
    | { id: number }
    | undefined;
  if (existing) return { id: existing.id, created: false };
  const files = gzipSync(JSON.stringify(rev.files));
  const info = db
    .prepare(
      `INSERT INTO revisions (digest, source_kind, source_url, source_ref, source_path, version, signer,
         fetched_at, files, objects, object_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      rev.digest,
      rev.sourceKind,
      rev.sourceUrl,
      rev.sourceRef ?? null,
      rev.sourcePath,
      rev.version ?? null,
      rev.signer ?? null,
      now.toISOString(),
      files,
      JSON.stringify(rev.objects),
      rev.objects.length,
    );
  return { id: Number(info.lastInsertRowid), created: true };
}

export function getRevision(db: Db, id: number): RevisionSummary | null {
  const row = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM revisions WHERE id = ?`).get(id) as Row | undefined;
  return row ? toSummary(row) : null;
}

export function revisionByDigest(db: Db, digest: string): RevisionSummary | null {
  const row = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM revisions WHERE digest = ?`).get(digest) as
    | Row
    | undefined;
  return row ? toSummary(row) : null;
}

export function revisionObjects(db: Db, id: number): KubeObject[] {
  const row = db.prepare('SELECT objects FROM revisions WHERE id = ?').get(id) as
    | { objects: string }
    | undefined;
  return row ? (JSON.parse(row.objects) as KubeObject[]) : [];
}

export function revisionFiles(db: Db, id: number): Record<string, string> {
  const row = db.prepare('SELECT files FROM revisions WHERE id = ?').get(id) as { files: Buffer } | undefined;
  return row ? (JSON.parse(gunzipSync(row.files).toString('utf8')) as Record<string, string>) : {};
}

export function listRevisions(db: Db, limit = 50): RevisionSummary[] {
  const rows = db
    .prepare(`SELECT ${SUMMARY_COLUMNS} FROM revisions ORDER BY id DESC LIMIT ?`)
    .all(limit) as Row[];
  return rows.map(toSummary);
}

export function markRevision(
  db: Db,
  id: number,
  status: RevisionStatus,
  message: string | null = null,
): void {
  db.prepare('UPDATE revisions SET status = ?, message = ? WHERE id = ?').run(status, message, id);
}

/** Replaces the recorded inventory (what was applied) of one revision. */
export function saveInventory(db: Db, revisionId: number, refs: ObjectRef[]): void {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO inventory (revision_id, api_version, kind, namespace, name) VALUES (?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    db.prepare('DELETE FROM inventory WHERE revision_id = ?').run(revisionId);
    for (const r of refs) insert.run(revisionId, r.apiVersion, r.kind, r.namespace ?? '', r.name);
  })();
}

export function inventory(db: Db, revisionId: number): ObjectRef[] {
  const rows = db
    .prepare(
      'SELECT api_version, kind, namespace, name FROM inventory WHERE revision_id = ? ORDER BY kind, namespace, name',
    )
    .all(revisionId) as { api_version: string; kind: string; namespace: string; name: string }[];
  return rows.map((r) => {
    const ref: ObjectRef = { apiVersion: r.api_version, kind: r.kind, name: r.name };
    if (r.namespace) ref.namespace = r.namespace;
    return ref;
  });
}

/**
 * Retention: keeps the newest `keep` revisions plus every pinned one and those in `protect` (the LKG, a held
 * revision); deletes the rest with their inventory. Returns how many were deleted.
 */
export function pruneRevisions(db: Db, keep: number, protect: number[]): number {
  const ids = protect.length > 0 ? protect : [-1];
  return db
    .prepare(
      `DELETE FROM revisions
       WHERE pinned = 0
         AND id NOT IN (${ids.map(() => '?').join(',')})
         AND id NOT IN (SELECT id FROM revisions ORDER BY id DESC LIMIT ?)`,
    )
    .run(...ids, keep).changes;
}

export function pinRevision(db: Db, id: number, pinned: boolean): void {
  db.prepare('UPDATE revisions SET pinned = ? WHERE id = ?').run(pinned ? 1 : 0, id);
}
