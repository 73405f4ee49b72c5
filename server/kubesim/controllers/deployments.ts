// Deployment and ReplicaSet controllers: template hash → ReplicaSet → Pods, rollouts, and their status.
import { arr, clone, isObject, type JsonObject, num, obj, randomSuffix, rfc3339, str } from '../util.ts';
import { type Ctx, condition, isTerminating, NODE_NAME, ownerRef, podReady } from './context.ts';

const REVISION = 'deployment.kubernetes.io/revision';

/** Per deployment: the last progress fingerprint and when it changed, for progressDeadlineSeconds. */
const progress = new WeakMap<Ctx, Map<string, { mark: string; at: number }>>();

function revisionOf(rs: JsonObject): number {
  return Number(obj(obj(rs.metadata).annotations)[REVISION] ?? 0);
}

function resolve(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v ?? ''));
  if (!m) return 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

function maxUnavailable(d: JsonObject, desired: number): number {
  const strategy = obj(obj(d.spec).strategy);
  if (strategy.type === 'Recreate') return 0;
  const ru = obj(strategy.rollingUpdate);
  const unavailable = resolve(ru.maxUnavailable ?? '25%', desired, false);
  const surge = resolve(ru.maxSurge ?? '25%', desired, true);
  return unavailable === 0 && surge === 0 ? 1 : Math.min(unavailable, desired);
}

export function reconcileDeployments(c: Ctx): void {
  const dRt = c.rt('apps/v1', 'Deployment');
  const rsRt = c.rt('apps/v1', 'ReplicaSet');
  for (const d of c.list(dRt)) {
    if (isTerminating(d) || obj(d.spec).paused === true) continue;
    const meta = obj(d.metadata);
    const ns = String(meta.namespace);
    const spec = obj(d.spec);
    const desired = num(spec.replicas) ?? 1;
    const hash = c.hash(obj(spec.template));
    const template = clone(obj(spec.template));
    const all = c.owned(rsRt, ns, d);
    const maxRev = Math.max(0, ...all.map(revisionOf));
    let current = all.find((rs) => obj(obj(rs.metadata).labels)['pod-template-hash'] === hash);
    if (!current) {
      const tmeta = obj(template.metadata);
      const labels = { ...obj(tmeta.labels), 'pod-template-hash': hash };
      const selector = clone(obj(spec.selector));
      selector.matchLabels = { ...obj(selector.matchLabels), 'pod-template-hash': hash };
      const rsName = `${meta.name}-${hash}`;
      current = c.create(
        rsRt,
        ns,
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name: rsName,
            namespace: ns,
            labels,
            annotations: {
              'deployment.kubernetes.io/desired-replicas': String(desired),
              'deployment.kubernetes.io/max-replicas': String(desired + 1),
              [REVISION]: String(maxRev + 1),
            },
            ownerReferences: [ownerRef(d)],
          },
          spec: { replicas: desired, selector, template: { ...template, metadata: { ...tmeta, labels } } },
        },
        d,
      );
      if (!current) continue;
      c.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${rsName} from 0 to ${desired}`,
        'deployment-controller',
      );
    } else {
      const cm = obj(current.metadata);
      const annotations: JsonObject = {
        ...obj(cm.annotations),
        'deployment.kubernetes.io/desired-replicas': String(desired),
      };
      if (revisionOf(current) < maxRev) annotations[REVISION] = String(maxRev + 1);
      if (obj(current.spec).replicas !== desired || revisionOf(current) < maxRev) {
        c.update(rsRt, {
          ...current,
          metadata: { ...cm, annotations },
          spec: { ...obj(current.spec), replicas: desired },
        });
      }
    }
    const rev = String(revisionOf(current) || maxRev + 1);
    if (obj(meta.annotations)[REVISION] !== rev) {
      c.update(dRt, {
        ...d,
        metadata: { ...meta, annotations: { ...obj(meta.annotations), [REVISION]: rev } },
      });
    }
    const currentUid = obj(current.metadata).uid;
    const readyNew = c
      .owned(c.rt('v1', 'Pod'), ns, current)
      .filter((p) => !isTerminating(p) && podReady(p)).length;
    const recreate = obj(spec.strategy).type === 'Recreate';
    for (const old of all) {
      if (obj(old.metadata).uid === currentUid || num(obj(old.spec).replicas) === 0) continue;
      if (readyNew >= desired || recreate) {
        c.update(rsRt, { ...old, spec: { ...obj(old.spec), replicas: 0 } });
        c.event(
          d,
          'Normal',
          'ScalingReplicaSet',
          `Scaled down replica set ${obj(old.metadata).name} from ${obj(old.spec).replicas} to 0`,
          'deployment-controller',
        );
      }
    }
  }
}

export function reconcileReplicaSets(c: Ctx): void {
  const rsRt = c.rt('apps/v1', 'ReplicaSet');
  const podRt = c.rt('v1', 'Pod');
  for (const rs of c.list(rsRt)) {
    if (isTerminating(rs)) continue;
    const meta = obj(rs.metadata);
    const ns = String(meta.namespace);
    const desired = num(obj(rs.spec).replicas) ?? 1;
    const pods = c.owned(podRt, ns, rs).filter((p) => !isTerminating(p));
    const template = obj(obj(rs.spec).template);
    for (let i = pods.length; i < desired; i++) {
      const name = `${meta.name}-${randomSuffix()}`;
      const tmeta = obj(template.metadata);
      const pod = c.create(
        podRt,
        ns,
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { ...clone(tmeta), name, namespace: ns, ownerReferences: [ownerRef(rs)] },
          spec: { ...clone(obj(template.spec)), nodeName: NODE_NAME },
        },
        rs,
      );
      if (pod) c.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, 'replicaset-controller');
    }
    if (pods.length > desired) {
      const doomed = [...pods]
        .sort(
          (a, b) =>
            Number(podReady(a)) - Number(podReady(b)) ||
            (String(obj(b.metadata).creationTimestamp) < String(obj(a.metadata).creationTimestamp) ? -1 : 1),
        )
        .slice(0, pods.length - desired);
      for (const p of doomed) {
        c.delete(podRt, p);
        c.event(
          rs,
          'Normal',
          'SuccessfulDelete',
          `Deleted pod: ${obj(p.metadata).name}`,
          'replicaset-controller',
        );
      }
    }
    const live = c.owned(podRt, ns, rs).filter((p) => !isTerminating(p));
    const ready = live.filter(podReady).length;
    const status: JsonObject = { replicas: live.length };
    if (live.length > 0) status.fullyLabeledReplicas = live.length;
    if (ready > 0) {
      status.readyReplicas = ready;
      status.availableReplicas = ready;
    }
    status.observedGeneration = meta.generation;
    c.setStatus(rsRt, rs, status);
  }
}

export function deploymentStatuses(c: Ctx): void {
  const dRt = c.rt('apps/v1', 'Deployment');
  const rsRt = c.rt('apps/v1', 'ReplicaSet');
  const podRt = c.rt('v1', 'Pod');
  let marks = progress.get(c);
  if (!marks) {
    marks = new Map();
    progress.set(c, marks);
  }
  for (const d of c.list(dRt)) {
    const meta = obj(d.metadata);
    const ns = String(meta.namespace);
    const spec = obj(d.spec);
    const desired = num(spec.replicas) ?? 1;
    const hash = c.hash(obj(spec.template));
    const sets = c.owned(rsRt, ns, d);
    const current = sets.find((rs) => obj(obj(rs.metadata).labels)['pod-template-hash'] === hash);
    if (!current) continue;
    const podsOf = (rs: JsonObject) => c.owned(podRt, ns, rs).filter((p) => !isTerminating(p));
    const allPods = sets.flatMap(podsOf);
    const newPods = podsOf(current);
    const available = allPods.filter(podReady).length;
    const newAvailable = newPods.filter(podReady).length;
    const specTotal = sets.reduce((n, rs) => n + (num(obj(rs.spec).replicas) ?? 0), 0);
    const rsName = String(obj(current.metadata).name);
    const uid = String(meta.uid);
    const mark = `${rsName}:${newPods.length}:${newAvailable}:${desired}`;
    const prev = marks.get(uid);
    const now = c.now();
    if (!prev || prev.mark !== mark) marks.set(uid, { mark, at: now });
    const since = marks.get(uid)?.at ?? now;
    const complete = newPods.length === desired && allPods.length === desired && newAvailable === desired;
    const deadline = (num(spec.progressDeadlineSeconds) ?? 600) * 1000;
    const old = obj(d.status);
    const stamp = rfc3339(since);
    let progressing: JsonObject;
    if (complete) {
      progressing = condition(
        old.conditions,
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "${rsName}" has successfully progressed.`,
        stamp,
        { lastUpdateTime: stamp },
      );
    } else if (now - since > deadline) {
      const at = rfc3339(since + deadline);
      progressing = condition(
        old.conditions,
        'Progressing',
        'False',
        'ProgressDeadlineExceeded',
        `ReplicaSet "${rsName}" has timed out progressing.`,
        at,
        { lastUpdateTime: at },
      );
    } else {
      c.wakeAt(since + deadline + 1);
      progressing =
        newAvailable === 0
          ? condition(
              old.conditions,
              'Progressing',
              'True',
              'NewReplicaSetCreated',
              `Created new replica set "${rsName}"`,
              stamp,
              { lastUpdateTime: stamp },
            )
          : condition(
              old.conditions,
              'Progressing',
              'True',
              'ReplicaSetUpdated',
              `ReplicaSet "${rsName}" is progressing.`,
              stamp,
              { lastUpdateTime: stamp },
            );
    }
    const minAvailable = available >= desired - maxUnavailable(d, desired);
    const availableCond = minAvailable
      ? condition(
          old.conditions,
          'Available',
          'True',
          'MinimumReplicasAvailable',
          'Deployment has minimum availability.',
          stamp,
          { lastUpdateTime: stamp },
        )
      : condition(
          old.conditions,
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.',
          stamp,
          { lastUpdateTime: stamp },
        );
    keepUpdateTime(old.conditions, availableCond);
    const status: JsonObject = { observedGeneration: meta.generation };
    if (allPods.length > 0) status.replicas = allPods.length;
    if (newPods.length > 0) status.updatedReplicas = newPods.length;
    if (available > 0) {
      status.readyReplicas = available;
      status.availableReplicas = available;
    }
    if (specTotal - available > 0) status.unavailableReplicas = specTotal - available;
    status.conditions = [availableCond, progressing];
    c.setStatus(dRt, d, status);
  }
}

/** Available's lastUpdateTime only moves when the condition itself changes. */
function keepUpdateTime(previous: unknown, cond: JsonObject): void {
  const prev = arr(previous)
    .filter(isObject)
    .find((x) => x.type === cond.type);
  if (prev && prev.status === cond.status && prev.reason === cond.reason && str(prev.lastUpdateTime)) {
    cond.lastUpdateTime = prev.lastUpdateTime;
  }
}
