// Waits for applied objects to become healthy; fails early when a workload is broken beyond doubt.
import type { ClusterClient, KubeObject, ObjectRef } from '../cluster/types.ts';
import { refString } from '../cluster/types.ts';
import { mapPool } from '../pool.ts';
import { type Health, healthOf, helmChartJobName } from './health/index.ts';
import { podHealth } from './health/pod.ts';
import { staleGeneration } from './health/types.ts';
import { readLive } from './live.ts';

export interface ObjectHealth {
  ref: string;
  health: Health;
}

export interface HealthVerdict {
  healthy: boolean;
  /** Why not: the first degraded object, or the ones still progressing at the deadline. */
  message: string;
  objects: ObjectHealth[];
  elapsedMs: number;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
const DEPLOYMENT_REVISION = 'deployment.kubernetes.io/revision';

function selectorOf(obj: KubeObject): string | null {
  const match = (obj.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector
    ?.matchLabels;
  if (!match || Object.keys(match).length === 0) return null;
  return Object.entries(match)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * Only pods of the rollout in progress count: during a rollout the previous ReplicaSet's pods are still there,
 * and a broken old pod must not fail a revision that fixes it.
 */
async function currentPodSelector(cluster: ClusterClient, obj: KubeObject): Promise<string | null> {
  const selector = selectorOf(obj);
  if (!selector || !obj.metadata.namespace) return null;
  if (obj.kind === 'Deployment') {
    const revision = obj.metadata.annotations?.[DEPLOYMENT_REVISION];
    if (!revision) return null;
    const sets = await cluster.list('apps/v1', 'ReplicaSet', {
      namespace: obj.metadata.namespace,
      labelSelector: selector,
    });
    const current = sets.find(
      (rs) =>
        rs.metadata.annotations?.[DEPLOYMENT_REVISION] === revision &&
        (rs.metadata.ownerReferences as { uid?: string }[] | undefined)?.some(
          (o) => o.uid === obj.metadata.uid,
        ),
    );
    const hash = current?.metadata.labels?.['pod-template-hash'];
    return hash ? `${selector},pod-template-hash=${hash}` : null;
  }
  if (obj.kind === 'StatefulSet') {
    const revision = (obj.status as { updateRevision?: string } | undefined)?.updateRevision;
    return revision ? `${selector},controller-revision-hash=${revision}` : null;
  }
  // ReplicaSets and Jobs own exactly their pods. DaemonSets are left to the timeout: their revision hash is
  // only in ControllerRevisions, which is more reads than early failure is worth.
  return obj.kind === 'DaemonSet' ? null : selector;
}

/** A rollout that is only "progressing" may still be hopeless: look at its pods for pull errors and crash loops. */
async function podProblem(cluster: ClusterClient, obj: KubeObject): Promise<string | null> {
  const selector = await currentPodSelector(cluster, obj);
  if (!selector) return null;
  const pods = await cluster.list('v1', 'Pod', {
    namespace: obj.metadata.namespace,
    labelSelector: selector,
  });
  for (const pod of pods) {
    const h = podHealth(pod);
    if (h.status === 'Degraded') return `pod ${pod.metadata.name}: ${h.message}`;
  }
  return null;
}

async function assess(
  cluster: ClusterClient,
  refs: ObjectRef[],
  concurrency: number,
  pods: boolean,
): Promise<ObjectHealth[]> {
  const live = await readLive(cluster, refs, concurrency);
  return mapPool(refs, concurrency, async (ref) => {
    const id = refString(ref);
    const obj = live.get(id) ?? null;
    let related: KubeObject | null = null;
    if (obj && ref.kind === 'HelmChart') {
      const job = helmChartJobName(obj);
      if (job)
        related = await cluster.get({
          apiVersion: 'batch/v1',
          kind: 'Job',
          namespace: ref.namespace,
          name: job,
        });
    }
    let health = healthOf(obj, ref.apiVersion, ref.kind, related);
    // Until the controller has seen the new spec, its revision bookkeeping still names the previous rollout.
    if (pods && obj && health.status === 'Progressing' && WORKLOADS.has(ref.kind) && !staleGeneration(obj)) {
      const problem = await podProblem(cluster, obj);
      if (problem) health = { status: 'Degraded', message: problem };
    }
    return { ref: id, health };
  });
}

/**
 * Objects are often ready moments after their apply (ConfigMaps and Services at once, a Deployment whose image is
 * already on the node within a second), so looks follow the first one quickly, from 25 ms and doubling, until
 * one interval has passed; then a full look once per interval. A quick look reads again only the objects not
 * healthy at the last look, and not their pods (two more reads per workload): a pull error or crash loop takes
 * longer than that to show, and the first look and every full one look at the pods.
 */
const QUICK_LOOK_MS = 25;

export async function waitHealthy(
  cluster: ClusterClient,
  refs: ObjectRef[],
  opts: { timeoutMs: number; intervalMs?: number; concurrency?: number },
): Promise<HealthVerdict> {
  const started = Date.now();
  const interval = opts.intervalMs ?? 1000;
  let quick = QUICK_LOOK_MS;
  let objects: ObjectHealth[] = [];
  for (let look = 0; ; look++) {
    const full = look === 0 || Date.now() - started >= interval;
    const healthy = new Set(objects.flatMap((o) => (o.health.status === 'Healthy' ? [o.ref] : [])));
    const seen = await assess(
      cluster,
      full ? refs : refs.filter((r) => !healthy.has(refString(r))),
      opts.concurrency ?? 8,
      full,
    );
    const now = new Map(seen.map((o) => [o.ref, o]));
    objects = full ? seen : objects.map((o) => now.get(o.ref) ?? o);
    const elapsedMs = Date.now() - started;
    const degraded = objects.find((o) => o.health.status === 'Degraded');
    if (degraded)
      return { healthy: false, message: `${degraded.ref}: ${degraded.health.message}`, objects, elapsedMs };
    const waiting = objects.filter((o) => o.health.status !== 'Healthy');
    if (waiting.length === 0) return { healthy: true, message: 'all objects healthy', objects, elapsedMs };
    const pause = elapsedMs < interval ? Math.min(quick, interval - elapsedMs) : interval;
    quick *= 2;
    if (elapsedMs + pause > opts.timeoutMs) {
      const first = waiting[0] as ObjectHealth;
      const more = waiting.length > 1 ? ` (and ${waiting.length - 1} more)` : '';
      return {
        healthy: false,
        message: `not healthy after ${Math.round(opts.timeoutMs / 1000)}s: ${first.ref}: ${first.health.message}${more}`,
        objects,
        elapsedMs,
      };
    }
    await new Promise((r) => setTimeout(r, pause));
  }
}
