// Smaller controllers: Jobs, PVC binding, servicelb, and the per-namespace defaults (ServiceAccount, root CA).
import { arr, clone, isObject, type JsonObject, num, obj, randomSuffix, rfc3339, str } from '../util.ts';
import { type Ctx, condition, isTerminating, ownerRef, podReady } from './context.ts';

export function reconcileJobs(c: Ctx): void {
  const jobRt = c.rt('batch/v1', 'Job');
  const podRt = c.rt('v1', 'Pod');
  for (const job of c.list(jobRt)) {
    if (isTerminating(job)) continue;
    const meta = obj(job.metadata);
    const ns = String(meta.namespace);
    const spec = obj(job.spec);
    const old = obj(job.status);
    const finished = arr(old.conditions).some(
      (x) => isObject(x) && (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True',
    );
    if (finished || spec.suspend === true) continue;
    const completions = num(spec.completions) ?? 1;
    const parallelism = num(spec.parallelism) ?? 1;
    const pods = c.owned(podRt, ns, job).filter((p) => !isTerminating(p));
    const succeeded = pods.filter((p) => obj(p.status).phase === 'Succeeded');
    const active = pods.filter(
      (p) => obj(p.status).phase !== 'Succeeded' && obj(p.status).phase !== 'Failed',
    );
    const want = Math.min(parallelism, completions - succeeded.length) - active.length;
    const template = obj(spec.template);
    for (let i = 0; i < want; i++) {
      const name = `${meta.name}-${randomSuffix()}`;
      const made = c.create(
        podRt,
        ns,
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            ...clone(obj(template.metadata)),
            name,
            namespace: ns,
            ownerReferences: [ownerRef(job)],
          },
          spec: clone(obj(template.spec)),
        },
        job,
      );
      if (made) {
        active.push(made);
        c.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, 'job-controller');
      }
    }
    const startTime = str(old.startTime) ?? rfc3339(c.seen(job));
    const status: JsonObject = { startTime };
    if (active.length > 0) status.active = active.length;
    status.ready = active.filter(podReady).length;
    if (succeeded.length > 0) status.succeeded = succeeded.length;
    status.terminating = 0;
    status.uncountedTerminatedPods = {};
    if (succeeded.length >= completions) {
      const at = succeeded
        .map((p) =>
          String(
            obj(arr(obj(p.status).containerStatuses).map((s) => obj(obj(obj(s).state).terminated))[0])
              .finishedAt ?? rfc3339(),
          ),
        )
        .sort()
        .pop() as string;
      const msg = 'Reached expected number of succeeded pods';
      status.completionTime = at;
      status.conditions = [
        condition(old.conditions, 'SuccessCriteriaMet', 'True', 'CompletionsReached', msg, at, {
          lastProbeTime: at,
        }),
        condition(old.conditions, 'Complete', 'True', 'CompletionsReached', msg, at, { lastProbeTime: at }),
      ];
      delete status.active;
      c.event(job, 'Normal', 'Completed', 'Job completed', 'job-controller');
    }
    c.setStatus(jobRt, job, status);
  }
}

export function reconcilePvcs(c: Ctx): void {
  const pvcRt = c.rt('v1', 'PersistentVolumeClaim');
  for (const pvc of c.list(pvcRt)) {
    if (isTerminating(pvc) || obj(pvc.status).phase === 'Bound') continue;
    const born = c.seen(pvc);
    if (c.now() - born < c.opts.readyDelayMs) {
      c.wakeAt(born + c.opts.readyDelayMs);
      continue;
    }
    const meta = obj(pvc.metadata);
    const spec = obj(pvc.spec);
    const volume = `pvc-${meta.uid}`;
    const annotations = {
      ...obj(meta.annotations),
      'pv.kubernetes.io/bind-completed': 'yes',
      'pv.kubernetes.io/bound-by-controller': 'yes',
      'volume.beta.kubernetes.io/storage-provisioner': 'rancher.io/local-path',
      'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path',
    };
    const bound = c.update(pvcRt, {
      ...pvc,
      metadata: { ...meta, annotations },
      spec: { ...spec, volumeName: volume },
    });
    if (!bound) continue;
    const storage = obj(obj(spec.resources).requests).storage;
    c.setStatus(pvcRt, bound, {
      phase: 'Bound',
      accessModes: spec.accessModes ?? ['ReadWriteOnce'],
      capacity: storage === undefined ? {} : { storage },
    });
  }
}

/** K3s's servicelb (klipper-lb) answers LoadBalancer Services with the node's address. */
export function reconcileServices(c: Ctx): void {
  const svcRt = c.rt('v1', 'Service');
  for (const svc of c.list(svcRt)) {
    if (isTerminating(svc)) continue;
    const isLb = obj(svc.spec).type === 'LoadBalancer';
    const ingress = arr(obj(obj(svc.status).loadBalancer).ingress);
    if (isLb && ingress.length === 0) {
      const born = c.seen(svc);
      if (c.now() - born < c.opts.readyDelayMs) {
        c.wakeAt(born + c.opts.readyDelayMs);
        continue;
      }
      c.setStatus(svcRt, svc, {
        ...obj(svc.status),
        loadBalancer: { ingress: [{ ip: '127.0.0.1', ipMode: 'VIP' }] },
      });
    } else if (!isLb && ingress.length > 0) {
      c.setStatus(svcRt, svc, { ...obj(svc.status), loadBalancer: {} });
    }
  }
}

const ROOT_CA = `-----BEGIN CERTIFICATE-----
MIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrM3Mtc2Vy
dmVyLWNhQG91dHBvc3Qtc2ltMB4XDTI1MDEwMTAwMDAwMFoXDTM1MDEwMTAwMDAw
MFowIzEhMB8GA1UEAwwYazNzLXNlcnZlci1jYUBvdXRwb3N0LXNpbQ==
-----END CERTIFICATE-----
`;

/** What the ServiceAccount and root-CA publisher controllers put into every namespace. */
export function reconcileNamespaces(c: Ctx): void {
  const saRt = c.rt('v1', 'ServiceAccount');
  const cmRt = c.rt('v1', 'ConfigMap');
  for (const ns of c.list(c.rt('v1', 'Namespace'))) {
    if (isTerminating(ns)) {
      // Real namespaces take a moment to empty; clients like `kubectl delete -f` rely on that window.
      const since = c.seen({ metadata: { uid: `${obj(ns.metadata).uid}/terminating` } });
      if (c.now() - since < c.opts.readyDelayMs) c.wakeAt(since + c.opts.readyDelayMs);
      else if (!c.engine.purgeNamespace(String(obj(ns.metadata).name)))
        c.wakeAt(c.now() + c.opts.readyDelayMs);
      continue;
    }
    if (obj(ns.status).phase !== 'Active') continue;
    const name = String(obj(ns.metadata).name);
    if (!c.engine.find(saRt, name, 'default')) {
      c.create(saRt, name, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace: name },
      });
    }
    if (!c.engine.find(cmRt, name, 'kube-root-ca.crt')) {
      c.create(cmRt, name, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'kube-root-ca.crt',
          namespace: name,
          annotations: {
            'kubernetes.io/description':
              'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
          },
        },
        data: { 'ca.crt': ROOT_CA },
      });
    }
  }
}
