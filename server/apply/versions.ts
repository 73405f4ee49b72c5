// The no-change shortcut: an object whose live version Outpost already verified to hold what it sends needs no
// dry run. One metadata-only LIST per kind replaces a dry-run request per object on an unchanged resync.
import { createHash } from 'node:crypto';
import type { ClusterClient, KubeObject, ObjectVersion } from '../cluster/types.ts';
import { refOf, refString } from '../cluster/types.ts';
import type { AppliedVersion } from '../db/revisions.ts';
import { mapPool } from '../pool.ts';
import { FIELD_MANAGER, MANAGED_BY } from './labels.ts';

/** sha256 of the object as sent: a verified version vouches for exactly this content. */
export function desiredDigest(desired: KubeObject): string {
  return createHash('sha256').update(JSON.stringify(desired)).digest('hex');
}

/**
 * sha256 of the fields Outpost's field manager owns (its managedFields entries, times left out). Any write to one
 * of them by anyone changes it: another manager's update takes the field over, Outpost's own apply of another
 * revision changes the set. Empty when the object shows no managedFields (then the resourceVersion must match).
 */
export function fieldsDigest(managedFields: unknown): string {
  if (!Array.isArray(managedFields)) return '';
  const ours = (managedFields as { manager?: string; operation?: string; subresource?: string }[])
    .filter((e) => e?.manager === FIELD_MANAGER)
    .map((e) => {
      const { time: _, ...rest } = e as Record<string, unknown>;
      return JSON.stringify(rest);
    })
    .sort();
  return ours.length ? createHash('sha256').update(ours.join('\n')).digest('hex') : '';
}

/** The version of a live object (an apply's answer, or a dry run that changed nothing) holding `desired`. */
export function versionOf(live: KubeObject, desired: KubeObject): AppliedVersion {
  const m = live.metadata;
  return {
    desiredDigest: desiredDigest(desired),
    resourceVersion: String(m.resourceVersion ?? ''),
    ...(typeof m.generation === 'number' ? { generation: m.generation } : {}),
    uid: String(m.uid ?? ''),
    fieldsDigest: fieldsDigest(m.managedFields),
  };
}

/** Metadata Outpost sends that a generation does not cover: only labels and annotations (owner labels among them). */
const GENERATION_BLIND = new Set(['name', 'namespace', 'labels', 'annotations']);

function holds(
  live: Record<string, string> | undefined,
  wanted: Record<string, string> | undefined,
): boolean {
  return Object.entries(wanted ?? {}).every(
    ([k, v]) => live !== undefined && Object.hasOwn(live, k) && live[k] === v,
  );
}

/**
 * Is the live object still the one verified? Its resourceVersion unchanged means nothing was written since. A
 * changed one is still the same content when only the status moved (a controller's update): same object (uid),
 * same generation (the API server bumps it on every change outside metadata and status), the same fields owned
 * by Outpost's manager (a metadata edit by anyone shows there), and every label and annotation Outpost sends
 * still there with its value. Metadata beyond those (finalizers, owner references) is not covered, so an object
 * that sends any needs its resourceVersion unchanged.
 */
export function stillVerified(live: ObjectVersion, known: AppliedVersion, desired: KubeObject): boolean {
  if (live.resourceVersion === known.resourceVersion) return true;
  if (known.generation === undefined || live.generation !== known.generation) return false;
  if (!known.uid || live.uid !== known.uid) return false;
  if (!known.fieldsDigest || fieldsDigest(live.managedFields) !== known.fieldsDigest) return false;
  if (Object.keys(desired.metadata).some((k) => !GENERATION_BLIND.has(k))) return false;
  return holds(live.labels, desired.metadata.labels) && holds(live.annotations, desired.metadata.annotations);
}

/**
 * Which objects (`desired`: as sent, owner labels included) are live in a version verified before, keyed by
 * refString, with that live version (so the next run compares against it). One metadata LIST of our objects per
 * kind; a kind that cannot be listed (forbidden, unknown) is simply not shortcut.
 */
export async function verifiedUnchanged(
  cluster: ClusterClient,
  desired: KubeObject[],
  known: ReadonlyMap<string, AppliedVersion>,
  concurrency = 8,
): Promise<Map<string, AppliedVersion>> {
  const byKind = new Map<string, { obj: KubeObject; id: string; was: AppliedVersion; digest: string }[]>();
  for (const obj of desired) {
    const id = refString(refOf(obj));
    const was = known.get(id);
    if (!was) continue;
    const digest = desiredDigest(obj);
    if (digest !== was.desiredDigest) continue;
    const key = `${obj.apiVersion} ${obj.kind}`;
    const group = byKind.get(key);
    const entry = { obj, id, was, digest };
    if (group) group.push(entry);
    else byKind.set(key, [entry]);
  }
  const verified = new Map<string, AppliedVersion>();
  await mapPool([...byKind.values()], concurrency, async (group) => {
    const first = group[0]?.obj as KubeObject;
    let listed: ObjectVersion[];
    try {
      listed = await cluster.versions(first.apiVersion, first.kind, {
        labelSelector: `${MANAGED_BY}=outpost`,
      });
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 403 || status === 404) return;
      throw err;
    }
    const live = new Map(
      listed.map((v) => [refString({ ...refOf(first), namespace: v.namespace, name: v.name }), v]),
    );
    for (const { obj, id, was, digest } of group) {
      const now = live.get(id);
      if (!now || !stillVerified(now, was, obj)) continue;
      verified.set(id, {
        desiredDigest: digest,
        resourceVersion: now.resourceVersion,
        ...(now.generation !== undefined ? { generation: now.generation } : {}),
        uid: now.uid ?? was.uid,
        fieldsDigest: fieldsDigest(now.managedFields),
      });
    }
  });
  return verified;
}
