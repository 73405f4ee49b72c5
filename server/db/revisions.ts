// Content-addressed revisions: the desired state as fetched (files) and as rendered (objects), identified by both.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type KubeObject, type ObjectRef, refString } from '../cluster/types.ts';
import type { RevisionLabel } from '../sources/label.ts';
import type { Db } from './open.ts';

export type RevisionStatus = 'stored' | 'applied' | 'failed';

export interface RevisionInput {
  /** The revision's identity: its tree and its render inputs together (sync/identity.ts). */
  digest: string;
  /** The fetched tree's digest; the identity when absent (a revision with no render inputs). */
  sourceDigest?: string | undefined;
  /** The render inputs' digest (path, variables). */
  inputsDigest?: string | undefined;
  sourceKind: string;
  sourceUrl: string;
  sourceRef?: string | undefined;
  sourcePath: string;
  version?: string | undefined;
  signer?: string | undefined;
  /** What a technician recognises it by (commit subject and author, upload name), already cleaned. */
  label?: RevisionLabel | undefined;
  /** Path → content: text, or bytes (see encodeFiles). */
  files: Record<string, string | Uint8Array>;
  objects: KubeObject[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Files as stored: UTF-8 content as text (the format revisions always had), other bytes as `{ base64 }`, so
 * a binary file comes back byte for byte.
 */
function encodeFiles(files: Record<string, string | Uint8Array>): string {
  const out: Record<string, string | { base64: string }> = {};
  for (const [p, c] of Object.entries(files)) {
    if (typeof c === 'string') out[p] = c;
    else {
      try {
        out[p] = strictUtf8.decode(c);
      } catch {
        out[p] = { base64: Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64') };
      }
    }
  }
  return JSON.stringify(out);
}

function decodeFiles(text: string): Record<string, string | Uint8Array> {
  return JSON.parse(text, function revive(this: unknown, key: string, value: unknown) {
    // Only a file's own value (a child of the top-level object) can be bytes.
    if (this !== null && key !== '' && typeof value === 'object' && value !== null && 'base64' in value) {
      return Buffer.from(String((value as { base64: unknown }).base64), 'base64');
    }
    return value;
  }) as Record<string, string | Uint8Array>;
}

export interface RevisionSummary {
  id: number;
  /** The identity: tree and render inputs together. */
  digest: string;
  sourceDigest: string;
  /** Null for a revision stored before identity covered the render inputs. */
  inputsDigest: string | null;
  sourceKind: string;
  sourceUrl: string;
  sourceRef: string | null;
  sourcePath: string;
  version: string | null;
  signer: string | null;
  /** git: the commit's subject line, author name and commit time; null for other sources and older revisions. */
  subject: string | null;
  author: string | null;
  committedAt: string | null;
  /** upload: the bundle's file name as uploaded, and who uploaded it. */
  uploadName: string | null;
  uploadedBy: string | null;
  fetchedAt: string;
  objectCount: number;
  status: RevisionStatus;
  message: string | null;
  pinned: boolean;
}

interface Row {
  id: number;
  digest: string;
  source_digest: string;
  inputs_digest: string | null;
  source_kind: string;
  source_url: string;
  source_ref: string | null;
  source_path: string;
  version: string | null;
  signer: string | null;
  subject: string | null;
  author: string | null;
  committed_at: string | null;
  upload_name: string | null;
  uploaded_by: string | null;
  fetched_at: string;
  object_count: number;
  status: RevisionStatus;
  message: string | null;
  pinned: number;
}

const SUMMARY_COLUMNS =
  'id, digest, source_digest, inputs_digest, source_kind, source_url, source_ref, source_path, version, signer, subject, author, committed_at, upload_name, uploaded_by, fetched_at, object_count, status, message, pinned';

function toSummary(r: Row): RevisionSummary {
  return {
    id: r.id,
    digest: r.digest,
    sourceDigest: r.source_digest,
    inputsDigest: r.inputs_digest,
    sourceKind: r.source_kind,
    sourceUrl: r.source_url,
    sourceRef: r.source_ref,
    sourcePath: r.source_path,
    version: r.version,
    signer: r.signer,
    subject: r.subject,
    author: r.author,
    committedAt: r.committed_at,
    uploadName: r.upload_name,
    uploadedBy: r.uploaded_by,
    fetchedAt: r.fetched_at,
    objectCount: r.object_count,
    status: r.status,
    message: r.message,
    pinned: r.pinned === 1,
  };
}

/**
 * A stored revision that cannot be read whole: its row is gone, its checksum does not match, or its content does
 * not parse. Nothing may be applied or pruned from it.
 */
export class RevisionUnreadable extends Error {
  readonly revisionId: number;
  constructor(revisionId: number, message: string, options?: { cause?: unknown }) {
    super(`revision ${revisionId} in the local store: ${message}`, options);
    this.name = 'RevisionUnreadable';
    this.revisionId = revisionId;
  }
}

/** A revision id that names nothing in the store (a typo): refused before any run is recorded. */
export class RevisionNotStored extends Error {
  readonly revisionId: number;
  constructor(revisionId: number) {
    super(`revision ${revisionId} is not stored on this node (\`outpost revisions\` lists the stored ones)`);
    this.name = 'RevisionNotStored';
    this.revisionId = revisionId;
  }
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Short form of a digest for people: the first 12 hex characters. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** A stored revision's label as a fetch gives it (absent fields left out). */
export function labelOf(r: RevisionSummary): RevisionLabel {
  const out: RevisionLabel = {};
  if (r.subject !== null) out.subject = r.subject;
  if (r.author !== null) out.author = r.author;
  if (r.committedAt !== null) out.committedAt = r.committedAt;
  if (r.uploadName !== null) out.uploadName = r.uploadName;
  if (r.uploadedBy !== null) out.uploadedBy = r.uploadedBy;
  return out;
}

/** Stores a revision unless one of the same identity is already stored; returns its id. Durable on return. */
export function storeRevision(
  db: Db,
  rev: RevisionInput,
  now = new Date(),
): { id: number; created: boolean } {
  const existing = db.prepare('SELECT id FROM revisions WHERE digest = ?').get(rev.digest) as
    | { id: number }
    | undefined;
  if (existing) {
    // Stored before labels were kept (migration 013): the same content fetched again gains its label once.
    const l = rev.label;
    if (l && (l.subject !== undefined || l.uploadName !== undefined))
      db.prepare(
        `UPDATE revisions SET subject = ?, author = ?, committed_at = ?, upload_name = ?, uploaded_by = ?
          WHERE id = ? AND subject IS NULL AND upload_name IS NULL`,
      ).run(
        l.subject ?? null,
        l.author ?? null,
        l.committedAt ?? null,
        l.uploadName ?? null,
        l.uploadedBy ?? null,
        existing.id,
      );
    return { id: existing.id, created: false };
  }
  const files = gzipSync(encodeFiles(rev.files));
  const objects = JSON.stringify(rev.objects);
  const info = db
    .prepare(
      `INSERT INTO revisions (digest, source_digest, inputs_digest, source_kind, source_url, source_ref,
         source_path, version, signer, subject, author, committed_at, upload_name, uploaded_by, fetched_at, files,
         objects, object_count, files_sha256, objects_sha256)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      rev.digest,
      rev.sourceDigest ?? rev.digest,
      rev.inputsDigest ?? null,
      rev.sourceKind,
      rev.sourceUrl,
      rev.sourceRef ?? null,
      rev.sourcePath,
      rev.version ?? null,
      rev.signer ?? null,
      rev.label?.subject ?? null,
      rev.label?.author ?? null,
      rev.label?.committedAt ?? null,
      rev.label?.uploadName ?? null,
      rev.label?.uploadedBy ?? null,
      now.toISOString(),
      files,
      objects,
      rev.objects.length,
      sha256(files),
      sha256(objects),
    );
  return { id: Number(info.lastInsertRowid), created: true };
}

export function getRevision(db: Db, id: number): RevisionSummary | null {
  const row = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM revisions WHERE id = ?`).get(id) as Row | undefined;
  return row ? toSummary(row) : null;
}

/** The newest stored revision of a fetched tree (any render of it holds the same files). */
export function revisionBySource(db: Db, sourceDigest: string): RevisionSummary | null {
  const row = db
    .prepare(`SELECT ${SUMMARY_COLUMNS} FROM revisions WHERE source_digest = ? ORDER BY id DESC LIMIT 1`)
    .get(sourceDigest) as Row | undefined;
  return row ? toSummary(row) : null;
}

/**
 * The rendered objects of a stored revision, checked against the checksum stored beside them. Throws
 * RevisionUnreadable rather than ever answering "no objects" for a revision it cannot read.
 */
export function revisionObjects(db: Db, id: number): KubeObject[] {
  const row = db
    .prepare('SELECT objects, objects_sha256, object_count FROM revisions WHERE id = ?')
    .get(id) as { objects: string; objects_sha256: string | null; object_count: number } | undefined;
  if (!row) throw new RevisionUnreadable(id, 'not found (deleted or damaged)');
  if (row.objects_sha256 !== null && sha256(row.objects) !== row.objects_sha256)
    throw new RevisionUnreadable(id, 'its objects do not match their stored checksum');
  let objects: unknown;
  try {
    objects = JSON.parse(row.objects);
  } catch (err) {
    throw new RevisionUnreadable(id, 'its objects are not readable JSON', { cause: err });
  }
  if (!Array.isArray(objects) || objects.length !== row.object_count)
    throw new RevisionUnreadable(
      id,
      `holds ${String((objects as unknown[])?.length)} of ${row.object_count} objects`,
    );
  return objects as KubeObject[];
}

/** The fetched files of a stored revision, checked like its objects. */
export function revisionFiles(db: Db, id: number): Record<string, string | Uint8Array> {
  const row = db.prepare('SELECT files, files_sha256 FROM revisions WHERE id = ?').get(id) as
    | { files: Buffer; files_sha256: string | null }
    | undefined;
  if (!row) throw new RevisionUnreadable(id, 'not found (deleted or damaged)');
  if (row.files_sha256 !== null && sha256(row.files) !== row.files_sha256)
    throw new RevisionUnreadable(id, 'its files do not match their stored checksum');
  try {
    return decodeFiles(gunzipSync(row.files).toString('utf8'));
  } catch (err) {
    throw new RevisionUnreadable(id, 'its files are not readable', { cause: err });
  }
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

/** What Outpost last verified of one applied object: the live version known to hold what it sent. */
export interface AppliedVersion {
  /** sha256 of the object as sent (owner labels included): a stored version only vouches for that content. */
  desiredDigest: string;
  resourceVersion: string;
  generation?: number;
  uid: string;
  /** sha256 of the fields Outpost's field manager owns there (managedFields): who else wrote what shows in it. */
  fieldsDigest: string;
}

/**
 * Replaces the recorded inventory (what was applied) of one revision, with each object's verified version where
 * known (keyed by refString).
 */
export function saveInventory(
  db: Db,
  revisionId: number,
  refs: ObjectRef[],
  versions: ReadonlyMap<string, AppliedVersion> = new Map(),
): void {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO inventory
       (revision_id, api_version, kind, namespace, name, desired_digest, resource_version, generation, uid,
        fields_digest)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    db.prepare('DELETE FROM inventory WHERE revision_id = ?').run(revisionId);
    for (const r of refs) {
      const v = versions.get(refString(r));
      insert.run(
        revisionId,
        r.apiVersion,
        r.kind,
        r.namespace ?? '',
        r.name,
        v?.desiredDigest ?? '',
        v?.resourceVersion ?? '',
        v?.generation ?? null,
        v?.uid ?? '',
        v?.fieldsDigest ?? '',
      );
    }
  })();
}

/** The verified versions of a revision's inventory, keyed by refString; objects without one are left out. */
export function appliedVersions(db: Db, revisionId: number): Map<string, AppliedVersion> {
  const rows = db
    .prepare(
      `SELECT api_version, kind, namespace, name, desired_digest, resource_version, generation, uid, fields_digest
         FROM inventory WHERE revision_id = ? AND resource_version != '' AND desired_digest != ''`,
    )
    .all(revisionId) as {
    api_version: string;
    kind: string;
    namespace: string;
    name: string;
    desired_digest: string;
    resource_version: string;
    generation: number | null;
    uid: string;
    fields_digest: string;
  }[];
  const out = new Map<string, AppliedVersion>();
  for (const r of rows) {
    const ref: ObjectRef = { apiVersion: r.api_version, kind: r.kind, name: r.name };
    if (r.namespace) ref.namespace = r.namespace;
    out.set(refString(ref), {
      desiredDigest: r.desired_digest,
      resourceVersion: r.resource_version,
      ...(r.generation === null ? {} : { generation: r.generation }),
      uid: r.uid,
      fieldsDigest: r.fields_digest,
    });
  }
  return out;
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
 * Retention: keeps the newest `keep` revisions plus every pinned one, every one in flight, and those in `protect`
 * (the LKG, a held revision); deletes the rest with their inventory. Returns how many were deleted.
 */
export function pruneRevisions(db: Db, keep: number, protect: number[]): number {
  const ids = protect.length > 0 ? protect : [-1];
  return db
    .prepare(
      `DELETE FROM revisions
       WHERE pinned = 0
         AND id NOT IN (SELECT revision_id FROM in_flight)
         AND id NOT IN (${ids.map(() => '?').join(',')})
         AND id NOT IN (SELECT id FROM revisions ORDER BY id DESC LIMIT ?)`,
    )
    .run(...ids, keep).changes;
}

export function pinRevision(db: Db, id: number, pinned: boolean): void {
  db.prepare('UPDATE revisions SET pinned = ? WHERE id = ?').run(pinned ? 1 : 0, id);
}

/** Remembers that a revision's objects may be on the cluster until its leftovers are cleaned up (crash recovery). */
export function markInFlight(db: Db, revisionId: number, now = new Date()): void {
  db.prepare('INSERT OR IGNORE INTO in_flight (revision_id, since) VALUES (?, ?)').run(
    revisionId,
    now.toISOString(),
  );
}

/** Every revision applied (or being applied) and neither committed nor rolled back yet, oldest first. */
export function inFlightRevisions(db: Db): number[] {
  return (
    db.prepare('SELECT revision_id FROM in_flight ORDER BY since, revision_id').all() as {
      revision_id: number;
    }[]
  ).map((r) => r.revision_id);
}

/** Forgets every in-flight revision: their leftovers were pruned (by commit, rollback or re-assert). */
export function clearInFlight(db: Db): void {
  db.prepare('DELETE FROM in_flight').run();
}

/**
 * Every kind Outpost has put in a stored revision or an inventory: where an orphan sweep looks. Reads the stored
 * objects with SQLite's JSON functions; a damaged row makes it throw (the sweep then does not run).
 */
export function storedKinds(db: Db): { apiVersion: string; kind: string }[] {
  return db
    .prepare(
      `SELECT DISTINCT json_extract(o.value, '$.apiVersion') AS apiVersion, json_extract(o.value, '$.kind') AS kind
         FROM revisions r, json_each(r.objects) o
        WHERE json_valid(r.objects)
       UNION
       SELECT DISTINCT api_version, kind FROM inventory
       ORDER BY 1, 2`,
    )
    .all() as { apiVersion: string; kind: string }[];
}
