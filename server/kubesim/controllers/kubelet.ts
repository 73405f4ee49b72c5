// The simulated scheduler and kubelet: pods get a node, then start, finish, or fail to pull their images.
import { arr, isObject, type JsonObject, obj, rfc3339, templateHash } from '../util.ts';
import { type Ctx, isTerminating, NODE_NAME } from './context.ts';

function podIP(uid: string): string {
  return `10.42.0.${(hashNum(uid) % 250) + 2}`;
}

function hashNum(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
}

function fullImage(image: string): string {
  const first = image.split('/')[0] ?? '';
  const hasRegistry =
    image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const path = hasRegistry ? image : `docker.io/${image.includes('/') ? image : `library/${image}`}`;
  return path.includes(':') && !path.endsWith(':') ? path : `${path}:latest`;
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the simulator follows the kubelet's own branching on pod phase and container state, kept side by side with it for review.
export function reconcilePods(c: Ctx): void {
  const podRt = c.rt('v1', 'Pod');
  const delay = c.opts.readyDelayMs;
  for (const pod of c.list(podRt)) {
    if (isTerminating(pod)) continue;
    const meta = obj(pod.metadata);
    const spec = obj(pod.spec);
    const status = obj(pod.status);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') continue;
    if (!spec.nodeName) {
      c.update(podRt, { ...pod, spec: { ...spec, nodeName: NODE_NAME } });
      c.event(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${meta.namespace}/${meta.name} to ${NODE_NAME}`,
        'default-scheduler',
      );
      continue;
    }
    const born = c.seen(pod);
    const elapsed = c.now() - born;
    const containers = arr(spec.containers).filter(isObject);
    const failing = containers.filter((ct) => c.imageFails(ct.image));
    const runsToCompletion = spec.restartPolicy === 'Never' || spec.restartPolicy === 'OnFailure';
    const started = rfc3339(born + delay);
    const scheduled = rfc3339(born);
    let phase = 'Pending';
    let stage: 'creating' | 'pullError' | 'backOff' | 'running' | 'done' = 'creating';
    if (elapsed >= delay) {
      if (failing.length > 0) stage = elapsed >= 2 * delay ? 'backOff' : 'pullError';
      else stage = runsToCompletion ? 'done' : 'running';
    }
    const memo = `${meta.resourceVersion}|${stage}`;
    if (c.podMemo.get(String(meta.uid)) === memo) continue;
    c.podMemo.set(String(meta.uid), memo);
    if (stage === 'creating') c.wakeAt(born + delay);
    if (stage === 'pullError') c.wakeAt(born + 2 * delay);
    if (stage === 'running') phase = 'Running';
    if (stage === 'done') phase = 'Succeeded';

    const statuses = containers.map((ct) => {
      const name = String(ct.name);
      const image = String(ct.image);
      const fails = c.imageFails(image);
      const base = { name, image: fullImage(image), imageID: '', restartCount: 0 };
      if (stage === 'creating' || (fails && stage !== 'running')) {
        let waiting: JsonObject = { reason: 'ContainerCreating' };
        if (fails && stage === 'pullError') {
          waiting = {
            reason: 'ErrImagePull',
            message: `failed to pull and unpack image "${fullImage(image)}": failed to resolve reference "${fullImage(image)}": ${fullImage(image)}: not found`,
          };
        } else if (fails && stage === 'backOff') {
          waiting = { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` };
        }
        return { ...base, ready: false, started: false, state: { waiting }, lastState: {} };
      }
      const done = { ...base, imageID: `${fullImage(image).split(':')[0]}@sha256:${'0'.repeat(64)}` };
      const containerID = `containerd://${templateHash(`${meta.uid}/${name}`)}${'0'.repeat(54)}`;
      if (stage === 'done') {
        return {
          ...done,
          containerID,
          ready: false,
          started: false,
          state: {
            terminated: {
              exitCode: 0,
              reason: 'Completed',
              startedAt: started,
              finishedAt: started,
              containerID,
            },
          },
          lastState: {},
        };
      }
      return {
        ...done,
        containerID,
        ready: true,
        started: true,
        state: { running: { startedAt: started } },
        lastState: {},
      };
    });

    const ready = stage === 'running';
    const notReadyReason = stage === 'done' ? 'PodCompleted' : 'ContainersNotReady';
    const notReadyMsg =
      stage === 'done'
        ? undefined
        : `containers with unready status: [${containers.map((ct) => String(ct.name)).join(' ')}]`;
    const cond = (type: string, ok: boolean, at: string, reason?: string, message?: string): JsonObject => {
      const o: JsonObject = {
        type,
        status: ok ? 'True' : 'False',
        lastTransitionTime: at,
      };
      if (!ok && reason) o.reason = reason;
      if (!ok && message) o.message = message;
      return o;
    };
    const at = stage === 'creating' ? scheduled : started;
    const next: JsonObject = {
      ...status,
      phase,
      conditions: [
        cond('PodReadyToStartContainers', stage !== 'creating' && stage !== 'pullError', at),
        cond('Initialized', true, scheduled),
        cond('Ready', ready, at, notReadyReason, notReadyMsg),
        cond('ContainersReady', ready, at, notReadyReason, notReadyMsg),
        cond('PodScheduled', true, scheduled),
      ],
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      startTime: scheduled,
      containerStatuses: statuses,
    };
    if (stage !== 'creating') {
      next.podIP = podIP(String(meta.uid));
      next.podIPs = [{ ip: next.podIP }];
    }
    c.setStatus(podRt, pod, next);
    kubeletEvents(c, pod, containers, stage);
  }
}

function kubeletEvents(c: Ctx, pod: JsonObject, containers: JsonObject[], stage: string): void {
  if (stage === 'creating') return;
  for (const ct of containers) {
    const image = String(ct.image);
    const field = `spec.containers{${String(ct.name)}}`;
    c.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, 'kubelet', field);
    if (c.imageFails(image)) {
      const ref = fullImage(image);
      c.event(
        pod,
        'Warning',
        'Failed',
        `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`,
        'kubelet',
        field,
      );
      c.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', 'kubelet', field);
      if (stage === 'backOff') {
        c.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, 'kubelet', field);
        c.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', 'kubelet', field);
      }
      continue;
    }
    c.event(
      pod,
      'Normal',
      'Pulled',
      `Successfully pulled image "${image}" in 1.2s (1.2s including waiting)`,
      'kubelet',
      field,
    );
    c.event(pod, 'Normal', 'Created', `Created container ${String(ct.name)}`, 'kubelet', field);
    c.event(pod, 'Normal', 'Started', `Started container ${String(ct.name)}`, 'kubelet', field);
  }
}
