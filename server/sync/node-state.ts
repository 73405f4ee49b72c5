// The node's state, computed here and only here: two independent answers as Argo CD gives them — sync (is the
// desired state applied?) and health (do the live objects work?) — one overall colour and word derived from both
// by the table in docs/console.md, and the causes in plain terms. The header, overview, kiosk, `outpost status`,
// /metrics and the upward reports all show this.
import { worstFirst } from '../apply/health/index.ts';
import type { ClusterSnapshot } from './cluster-view.ts';
import type { LiveSnapshot } from './live.ts';
import type { SyncStatus } from './status.ts';

/** The colour. `full`: the data volume is full — the node runs its LKG read-only and records no history. */
export type Overall = 'ok' | 'warn' | 'bad' | 'none' | 'full';

/** Sync: in sync / applying now / update held / update refused / upstream unreachable since … / never synced. */
export const SYNC_STATES = ['synced', 'applying', 'held', 'refused', 'unreachable', 'never'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/** Health, from the live objects and the managed workloads' pods. */
export const HEALTH_STATES = ['healthy', 'progressing', 'degraded', 'unknown'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** The overall word (catalogue `state.word.<word>`), chosen with the colour by `overallOf`. */
export const WORDS = [
  'allGood',
  'updating',
  'starting',
  'updateHeld',
  'updateRefused',
  'offline',
  'healthUnknown',
  'needsAttention',
  'storeDamaged',
  'nothingApplied',
  'storeFull',
] as const;
export type Word = (typeof WORDS)[number];

/** A reason for the overall state, with a count where it has one (reported upward by code). */
export const REASON_CODES = [
  'ok',
  'storeFull',
  'failing',
  'degraded',
  'storeCorrupt',
  'massPruneRefused',
  'syncFailed',
  'rolledBack',
  'syncing',
  'progressing',
  'clusterUnreadable',
  'offline',
  'upstreamBroken',
] as const;
export interface Reason {
  code: (typeof REASON_CODES)[number];
  n?: number;
}

export const CAUSE_CODES = [
  'imagePull',
  'workloadFailing',
  'objectDegraded',
  'held',
  'parse',
  'objectRefused',
  'refused',
  'massPrune',
  'storeDamaged',
  'unreachable',
  'upstreamBroken',
  'clusterUnreadable',
] as const;

/**
 * What to do about it, in plain words (catalogue `cause.<code>` with `vars`); `detail` is the raw reason for
 * "Details for support".
 */
export interface Cause {
  code: (typeof CAUSE_CODES)[number];
  vars: Record<string, string | number>;
  detail: string | null;
}

export interface HealthCounts {
  Healthy: number;
  Progressing: number;
  Degraded: number;
  Unknown: number;
}

/** A managed workload whose pods fail, with the first pod problem (`ImagePullBackOff: …`). */
export interface FailingWorkload {
  kind: string;
  namespace: string;
  name: string;
  problem: string | null;
  images: string[];
}

/** A degraded object that is not a workload (a PVC, a Job): `ref` is `Kind ns/name`. */
export interface DegradedObject {
  ref: string;
  message: string | null;
}

export interface NodeStateInputs {
  status: SyncStatus;
  health: HealthCounts;
  /** The live view could not read the cluster. */
  liveError: string | null;
  failing: FailingWorkload[];
  degraded?: DegradedObject[];
  /** A sync is running now (this process or another holding the reconcile lease). */
  applying?: boolean;
}

export interface NodeState {
  overall: Overall;
  word: Word;
  sync: { state: SyncState; since: string | null; revision: string | null };
  health: { state: HealthState; counts: HealthCounts };
  reasons: Reason[];
  causes: Cause[];
}

/** Failures that refuse nothing: the update never arrived, the process stopped, or the cluster did not answer. */
const NOT_REFUSED = new Set(['FetchFailed', 'Interrupted', 'ClusterUnreachable']);

export function syncState(i: NodeStateInputs): NodeState['sync'] {
  const s = i.status;
  if (i.applying) return { state: 'applying', since: null, revision: null };
  if (s.held) return { state: 'held', since: s.held.at, revision: s.held.from };
  const a = s.attempted;
  if (!s.store.ok || (a?.result === 'failed' && !NOT_REFUSED.has(a.reason ?? '')))
    return { state: 'refused', since: a?.at ?? null, revision: a?.revision ?? null };
  if (s.upstream.reachable === false || s.upstream.broken)
    return {
      state: 'unreachable',
      since: s.upstream.broken ? s.upstream.brokenSince : s.upstream.unreachableSince,
      revision: null,
    };
  if (!s.applied) return { state: 'never', since: null, revision: null };
  return { state: 'synced', since: s.applied.at, revision: s.applied.revision };
}

export function healthState(i: NodeStateInputs): HealthState {
  if (i.health.Degraded > 0 || i.failing.length > 0) return 'degraded';
  if (i.liveError) return 'unknown';
  if (i.health.Progressing > 0) return 'progressing';
  // Nothing read yet (a start, or a command line with no reading from the server) is not "healthy".
  if (i.health.Unknown > 0 || i.health.Healthy === 0) return 'unknown';
  return 'healthy';
}

/**
 * The documented table (docs/console.md), first row that matches. Health that is degraded is red whatever sync
 * says; a sync that is running is "Updating", never "All good"; an update refused (it never ran: someone must fix
 * it upstream or confirm it) is red, one held after a failed rollout amber (Retry, or a newer version, releases it).
 */
export function overallOf(
  sync: SyncState,
  health: HealthState,
  store: { ok: boolean; full: boolean },
): { overall: Overall; word: Word } {
  if (store.full) return { overall: 'full', word: 'storeFull' };
  if (!store.ok) return { overall: 'bad', word: 'storeDamaged' };
  if (health === 'degraded') return { overall: 'bad', word: 'needsAttention' };
  if (sync === 'applying') return { overall: 'warn', word: 'updating' };
  if (sync === 'refused') return { overall: 'bad', word: 'updateRefused' };
  if (sync === 'held') return { overall: 'warn', word: 'updateHeld' };
  if (sync === 'never') return { overall: 'none', word: 'nothingApplied' };
  if (health === 'unknown') return { overall: 'warn', word: 'healthUnknown' };
  if (health === 'progressing') return { overall: 'warn', word: 'starting' };
  if (sync === 'unreachable') return { overall: 'warn', word: 'offline' };
  return { overall: 'ok', word: 'allGood' };
}

function reasonsOf(i: NodeStateInputs, sync: SyncState): Reason[] {
  const r: Reason[] = [];
  const s = i.status;
  if (s.store.full) r.push({ code: 'storeFull' });
  if (i.failing.length > 0) r.push({ code: 'failing', n: i.failing.length });
  if (i.health.Degraded > 0) r.push({ code: 'degraded', n: i.health.Degraded });
  if (!s.store.ok) r.push({ code: 'storeCorrupt' });
  else if (sync === 'refused' && s.attempted?.reason === 'MassPruneRefused')
    r.push({ code: 'massPruneRefused' });
  else if (sync === 'refused') r.push({ code: 'syncFailed' });
  if (sync === 'applying') r.push({ code: 'syncing' });
  if (s.held) r.push({ code: 'rolledBack' });
  const unsettled = i.health.Progressing + i.health.Unknown;
  if (unsettled > 0) r.push({ code: 'progressing', n: unsettled });
  if (i.liveError) r.push({ code: 'clusterUnreadable' });
  if (s.upstream.broken) r.push({ code: 'upstreamBroken' });
  else if (s.upstream.reachable === false) r.push({ code: 'offline' });
  return r.length > 0 || !s.applied ? r : [{ code: 'ok' }];
}

const PULL = /^(ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull)\b/;
const QUOTED = /"([^"]{1,300})"/;
/** The reconciler's lead-in to a held revision's message: what follows names the object and why. */
const ROLLED_BACK = /^rolled back from \S{1,80} to \S{1,80} because \w{1,40}: /;
const YAML_AT = /^(?:[^:]{0,40}: )?(.{1,300}?): not valid YAML at line (\d{1,7})/;

/** `apps/v1 Deployment shop/web: why` → the object and why, when a message starts with an identity. */
export function objectOf(message: string): { object: string; why: string } | null {
  const cut = message.slice(0, 2000);
  const colon = cut.indexOf(': ');
  if (colon < 0) return null;
  const head = cut.slice(0, colon).split(' ');
  if (head.length !== 3 || (!head[0]?.includes('/') && head[0] !== 'v1')) return null;
  return { object: `${head[1]} ${head[2]}`, why: cut.slice(colon + 2) };
}

function workloadCause(w: FailingWorkload): Cause {
  const workload = `${w.kind} ${w.namespace}/${w.name}`;
  const problem = w.problem ?? '';
  if (PULL.test(problem)) {
    const image = QUOTED.exec(problem)?.[1] ?? w.images.join(', ');
    return { code: 'imagePull', vars: { image, workload }, detail: problem };
  }
  return { code: 'workloadFailing', vars: { workload, problem: problem || '—' }, detail: problem || null };
}

function refusalCause(s: SyncStatus): Cause | null {
  const a = s.attempted;
  if (a?.result !== 'failed') return null;
  const detail = `${a.reason ?? ''}: ${a.message ?? ''}`;
  const message = a.message ?? '';
  const rev = a.revision ?? '—';
  if (a.reason === 'MassPruneRefused') return { code: 'massPrune', vars: { rev }, detail };
  if (a.reason === 'RenderFailed') {
    const m = YAML_AT.exec(message.slice(0, 2000));
    if (m) return { code: 'parse', vars: { file: m[1] ?? '', line: Number(m[2]), rev }, detail };
  }
  if (a.reason === 'ValidationFailed' || a.reason === 'ApplyFailed') {
    const o = objectOf(message);
    if (o) return { code: 'objectRefused', vars: { object: o.object, why: o.why, rev }, detail };
  }
  return { code: 'refused', vars: { rev, reason: a.reason ?? '' }, detail };
}

/** The causes, most actionable first: what fails now, then why the update did not go through, then upstream. */
function causesOf(i: NodeStateInputs, sync: SyncState): Cause[] {
  const s = i.status;
  const out: Cause[] = i.failing.map(workloadCause);
  for (const d of i.degraded ?? [])
    out.push({ code: 'objectDegraded', vars: { object: d.ref, why: d.message ?? '—' }, detail: d.message });
  if (!s.store.ok) out.push({ code: 'storeDamaged', vars: {}, detail: s.store.problem });
  if (s.held) {
    const o = objectOf(s.held.message.slice(0, 2000).replace(ROLLED_BACK, ''));
    out.push({
      code: 'held',
      vars: {
        rev: s.held.from,
        running: s.held.to ?? '—',
        why: o ? `${o.object}: ${o.why}` : s.held.message,
      },
      detail: `${s.held.reason}: ${s.held.message}`,
    });
  } else if (sync === 'refused' && s.store.ok) {
    const c = refusalCause(s);
    if (c) out.push(c);
  }
  if (i.liveError) out.push({ code: 'clusterUnreadable', vars: {}, detail: i.liveError });
  if (s.upstream.broken)
    out.push({
      code: 'upstreamBroken',
      vars: { since: s.upstream.brokenSince ?? '' },
      detail: s.upstream.lastError,
    });
  else if (s.upstream.reachable === false)
    out.push({
      code: 'unreachable',
      vars: { since: s.upstream.unreachableSince ?? '' },
      detail: s.upstream.lastError,
    });
  return out;
}

export function nodeState(i: NodeStateInputs): NodeState {
  const sync = syncState(i);
  const health = healthState(i);
  const { overall, word } = overallOf(sync.state, health, i.status.store);
  return {
    overall,
    word,
    sync,
    health: { state: health, counts: i.health },
    reasons: reasonsOf(i, sync.state),
    causes: causesOf(i, sync.state),
  };
}

/** Where the inputs come from: the sync status in SQLite and the two in-memory views of the cluster. */
export interface StateSources {
  status(): SyncStatus;
  progress(): { running: boolean };
  live: { snapshot(): LiveSnapshot };
  cluster: { snapshot(): ClusterSnapshot };
}

export function healthCounts(objects: LiveSnapshot['objects']): HealthCounts {
  const counts: HealthCounts = { Healthy: 0, Progressing: 0, Degraded: 0, Unknown: 0 };
  for (const o of objects) counts[o.health.status]++;
  return counts;
}

/** The objects that are not healthy, worst first (the order health defines). */
export function problemObjects(objects: LiveSnapshot['objects']): LiveSnapshot['objects'] {
  return objects.filter((o) => o.health.status !== 'Healthy').sort((a, b) => worstFirst(a.health, b.health));
}

export const failingWorkloads = (c: ClusterSnapshot): FailingWorkload[] =>
  c.workloads
    .filter((w) => w.state === 'failing')
    .map((w) => ({
      kind: w.kind,
      namespace: w.namespace,
      name: w.name,
      problem: w.problem,
      images: w.images,
    }));

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Degraded objects the failing workloads do not already say (a PVC, a Job, a workload with no failing pod). */
export function degradedObjects(
  objects: LiveSnapshot['objects'],
  failing: FailingWorkload[],
): DegradedObject[] {
  const said = new Set(failing.map((f) => `${f.kind}/${f.namespace}/${f.name}`));
  return objects
    .filter((o) => o.health.status === 'Degraded')
    .filter(
      (o) => !(WORKLOADS.has(o.ref.kind) && said.has(`${o.ref.kind}/${o.ref.namespace ?? ''}/${o.ref.name}`)),
    )
    .map((o) => ({
      ref: `${o.ref.kind} ${o.ref.namespace ? `${o.ref.namespace}/` : ''}${o.ref.name}`,
      message: o.health.message,
    }));
}

export function stateInputs(s: StateSources): NodeStateInputs {
  const live = s.live.snapshot();
  const failing = failingWorkloads(s.cluster.snapshot());
  return {
    status: s.status(),
    health: healthCounts(live.objects),
    liveError: live.error,
    failing,
    degraded: degradedObjects(live.objects, failing),
    applying: s.progress().running,
  };
}
