// StatefulSet and DaemonSet controllers: ordinal or per-node pods, ControllerRevisions, and their status.
import type { ResourceType } from '../kinds.ts';
import { selectorMatcher } from '../selectors.ts';
import { arr, clone, isObject, type JsonObject, num, obj, randomSuffix } from '../util.ts';
import { type Ctx, isTerminating, NODE_NAME, ownerRef, podReady } from './context.ts';

const REV_LABEL = 'controller-revision-hash';

/** Makes sure a ControllerRevision exists for the current template; returns its name. */
function ensureRevision(c: Ctx, owner: JsonObject, hash: string): string {
  const crRt = c.rt('apps/v1', 'ControllerRevision');
  const meta = obj(owner.metadata);
  const ns = String(meta.namespace);
  const name = `${meta.name}-${hash}`;
  const existing = c.owned(crRt, ns, owner);
  if (!existing.some((r) => obj(r.metadata).name === name)) {
    const revision = Math.max(0, ...existing.map((r) => num(r.revision) ?? 0)) + 1;
    const template = clone(obj(obj(owner.spec).template));
    c.create(crRt, ns, {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: ns,
        labels: { ...obj(obj(template.metadata).labels), 'controller.kubernetes.io/hash': hash },
        ownerReferences: [ownerRef(owner)],
      },
      data: { spec: { template: { ...template, $patch: 'replace' } } },
      revision,
    });
  }
  return name;
}

function podFor(owner: JsonObject, name: string, labels: JsonObject, extraSpec: JsonObject): JsonObject {
  const template = clone(obj(obj(owner.spec).template));
  const tmeta = obj(template.metadata);
  const ns = String(obj(owner.metadata).namespace);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...tmeta,
      name,
      namespace: ns,
      labels: { ...obj(tmeta.labels), ...labels },
      ownerReferences: [ownerRef(owner)],
    },
    spec: { ...obj(template.spec), ...extraSpec, nodeName: NODE_NAME },
  };
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the simulator follows the StatefulSet controller's own branching (ordinals, partitions, updates), kept side by side with it.
export function reconcileStatefulSets(c: Ctx): void {
  const stsRt = c.rt('apps/v1', 'StatefulSet');
  const podRt = c.rt('v1', 'Pod');
  const pvcRt = c.rt('v1', 'PersistentVolumeClaim');
  for (const sts of c.list(stsRt)) {
    if (isTerminating(sts)) continue;
    const meta = obj(sts.metadata);
    const ns = String(meta.namespace);
    const spec = obj(sts.spec);
    const desired = num(spec.replicas) ?? 1;
    const hash = c.hash(obj(spec.template));
    const revision = ensureRevision(c, sts, hash);
    const pods = c.owned(podRt, ns, sts).filter((p) => !isTerminating(p));
    const templates = arr(spec.volumeClaimTemplates).filter(isObject);
    for (let i = 0; i < desired; i++) {
      const name = `${meta.name}-${i}`;
      const existing = pods.find((p) => obj(p.metadata).name === name);
      if (existing && obj(obj(existing.metadata).labels)[REV_LABEL] !== revision) {
        // Simplified rolling update: outdated pods are replaced all at once, not one ordinal at a time.
        c.delete(podRt, existing);
      } else if (existing) continue;
      const volumes = arr(obj(obj(spec.template).spec).volumes).filter(isObject);
      for (const t of templates) {
        const tname = String(obj(t.metadata).name);
        const claim = `${tname}-${name}`;
        volumes.push({ name: tname, persistentVolumeClaim: { claimName: claim } });
        if (!c.engine.find(pvcRt, ns, claim)) {
          c.create(pvcRt, ns, {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: claim, namespace: ns, labels: { ...obj(obj(spec.selector).matchLabels) } },
            spec: clone(obj(t.spec)),
          });
        }
      }
      const labels = {
        [REV_LABEL]: revision,
        'statefulset.kubernetes.io/pod-name': name,
        'apps.kubernetes.io/pod-index': String(i),
      };
      const extra: JsonObject = { hostname: name };
      if (spec.serviceName) extra.subdomain = spec.serviceName;
      if (volumes.length > 0) extra.volumes = volumes;
      const made = c.create(podRt, ns, podFor(sts, name, labels, extra), sts);
      if (made)
        c.event(
          sts,
          'Normal',
          'SuccessfulCreate',
          `create Pod ${name} in StatefulSet ${meta.name} successful`,
          'statefulset-controller',
        );
    }
    for (const p of pods) {
      const ordinal = Number(String(obj(p.metadata).name).slice(String(meta.name).length + 1));
      if (!(ordinal < desired)) c.delete(podRt, p);
    }
    const live = c.owned(podRt, ns, sts).filter((p) => !isTerminating(p));
    const updated = live.filter((p) => obj(obj(p.metadata).labels)[REV_LABEL] === revision);
    const ready = live.filter(podReady).length;
    const old = obj(sts.status);
    const done = updated.length === desired && updated.every(podReady);
    const currentRevision = done ? revision : ((old.currentRevision as string | undefined) ?? revision);
    const current = live.filter((p) => obj(obj(p.metadata).labels)[REV_LABEL] === currentRevision).length;
    const status: JsonObject = { observedGeneration: meta.generation, replicas: live.length };
    if (ready > 0) status.readyReplicas = ready;
    if (current > 0) status.currentReplicas = current;
    if (updated.length > 0) status.updatedReplicas = updated.length;
    status.currentRevision = currentRevision;
    status.updateRevision = revision;
    status.collisionCount = 0;
    status.availableReplicas = ready;
    c.setStatus(stsRt, sts, status);
  }
}

function eligibleNodes(c: Ctx, ds: JsonObject): JsonObject[] {
  const nodeSelector = obj(obj(obj(obj(ds.spec).template).spec).nodeSelector);
  const match = selectorMatcher({ matchLabels: nodeSelector });
  return c
    .list(c.rt('v1', 'Node'))
    .filter((n) => match(obj(obj(n.metadata).labels) as Record<string, string>));
}

export function reconcileDaemonSets(c: Ctx): void {
  const dsRt: ResourceType = c.rt('apps/v1', 'DaemonSet');
  const podRt = c.rt('v1', 'Pod');
  for (const ds of c.list(dsRt)) {
    if (isTerminating(ds)) continue;
    const meta = obj(ds.metadata);
    const ns = String(meta.namespace);
    const hash = c.hash(obj(obj(ds.spec).template));
    ensureRevision(c, ds, hash);
    const nodes = eligibleNodes(c, ds);
    let pods = c.owned(podRt, ns, ds).filter((p) => !isTerminating(p));
    for (const p of pods) {
      const outdated = obj(obj(p.metadata).labels)[REV_LABEL] !== hash;
      const stray = !nodes.some((n) => obj(n.metadata).name === obj(p.spec).nodeName);
      if (outdated || stray) c.delete(podRt, p);
    }
    pods = c.owned(podRt, ns, ds).filter((p) => !isTerminating(p));
    for (const n of nodes) {
      const nodeName = obj(n.metadata).name;
      if (pods.some((p) => obj(p.spec).nodeName === nodeName)) continue;
      const name = `${meta.name}-${randomSuffix()}`;
      const labels = { [REV_LABEL]: hash, 'pod-template-generation': String(meta.generation ?? 1) };
      const made = c.create(podRt, ns, podFor(ds, name, labels, {}), ds);
      if (made) c.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, 'daemonset-controller');
    }
    const live = c.owned(podRt, ns, ds).filter((p) => !isTerminating(p));
    const ready = live.filter(podReady).length;
    const updated = live.filter((p) => obj(obj(p.metadata).labels)[REV_LABEL] === hash).length;
    const status: JsonObject = {
      currentNumberScheduled: live.length,
      numberMisscheduled: 0,
      desiredNumberScheduled: nodes.length,
      numberReady: ready,
      observedGeneration: meta.generation,
    };
    if (updated > 0) status.updatedNumberScheduled = updated;
    if (ready > 0) status.numberAvailable = ready;
    if (nodes.length - ready > 0) status.numberUnavailable = nodes.length - ready;
    c.setStatus(dsRt, ds, status);
  }
}
