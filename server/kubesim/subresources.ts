// The small subresources: pods/log (a start banner plus what was written to the container) and /scale for scalable workloads.
import type { Engine, WriteOptions } from './engine.ts';
import { ApiError, badRequest } from './errors.ts';
import type { ResourceType } from './kinds.ts';
import { jsonPatch, mergePatch } from './patch.ts';
import { arr, isObject, type JsonObject, obj, rfc3339, str } from './util.ts';
import { parseBody, update } from './write.ts';

/** The container a log request reads, and its output so far (the start banner, then what was written to it). */
export function podLog(
  pod: JsonObject,
  q: URLSearchParams,
  written: (container: string) => string[] = () => [],
): { container: string; text: string } {
  const meta = obj(pod.metadata);
  const containers = arr(obj(pod.spec).containers).filter(isObject);
  const wanted = q.get('container') ?? (containers.length === 1 ? str(containers[0]?.name) : undefined);
  if (!wanted) {
    throw badRequest(
      `a container name must be specified for pod ${meta.name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`,
    );
  }
  const c = containers.find((x) => x.name === wanted);
  if (!c) throw badRequest(`container ${wanted} is not valid for pod ${meta.name}`);
  const cs = arr(obj(pod.status).containerStatuses)
    .filter(isObject)
    .find((s) => s.name === wanted);
  const waiting = obj(obj(cs?.state).waiting);
  if (!cs || str(waiting.reason)) {
    const why =
      waiting.reason === 'ImagePullBackOff' || waiting.reason === 'ErrImagePull'
        ? 'trying and failing to pull image'
        : 'ContainerCreating';
    throw badRequest(`container "${wanted}" in pod "${meta.name}" is waiting to start: ${why}`);
  }
  const started =
    str(obj(obj(cs.state).running).startedAt) ?? str(obj(obj(cs.state).terminated).startedAt) ?? rfc3339();
  let lines = [
    `outpost-sim: container ${wanted} started from image ${String(c.image)}`,
    `outpost-sim: pod ${meta.namespace}/${meta.name} on ${String(obj(pod.spec).nodeName ?? '')}`,
    'outpost-sim: ready',
    ...written(wanted),
  ];
  if (q.get('timestamps') === 'true') lines = lines.map((l) => `${started.replace('Z', '.000000000Z')} ${l}`);
  const tail = Number(q.get('tailLines') ?? '-1');
  if (tail >= 0) lines = lines.slice(Math.max(0, lines.length - tail));
  let text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  const limit = Number(q.get('limitBytes') ?? '0');
  if (limit > 0) text = Buffer.from(text, 'utf8').subarray(0, limit).toString('utf8');
  return { container: wanted, text };
}

function selectorString(o: JsonObject): string {
  const sel = obj(obj(o.spec).selector);
  const parts = Object.entries(obj(sel.matchLabels)).map(([k, v]) => `${k}=${String(v)}`);
  for (const ex of arr(sel.matchExpressions).filter(isObject)) {
    const values = arr(ex.values).map(String).join(',');
    if (ex.operator === 'In') parts.push(`${ex.key} in (${values})`);
    else if (ex.operator === 'NotIn') parts.push(`${ex.key} notin (${values})`);
    else if (ex.operator === 'Exists') parts.push(String(ex.key));
    else if (ex.operator === 'DoesNotExist') parts.push(`!${ex.key}`);
  }
  return parts.join(',');
}

export function scaleGet(o: JsonObject): JsonObject {
  const meta = obj(o.metadata);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: obj(o.spec).replicas ?? 0 },
    status: { replicas: obj(o.status).replicas ?? 0, selector: selectorString(o) },
  };
}

export function scaleWrite(
  e: Engine,
  rt: ResourceType,
  ns: string,
  name: string,
  method: string,
  contentType: string,
  body: string,
  opts: WriteOptions,
): JsonObject {
  const live = e.read(rt, ns, name);
  const current = scaleGet(live);
  let next: unknown;
  if (method === 'PUT') next = parseBody(body, 'json');
  else if (contentType.startsWith('application/json-patch+json'))
    next = jsonPatch(current, parseBody(body, 'json'));
  else if (
    contentType.startsWith('application/merge-patch+json') ||
    contentType.startsWith('application/strategic-merge-patch+json')
  ) {
    next = mergePatch(current, parseBody(body, 'json'));
  } else {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
    );
  }
  const replicas = obj(obj(next).spec).replicas;
  if (typeof replicas !== 'number') throw badRequest('spec.replicas must be a number');
  const updated = { ...live, spec: { ...obj(live.spec), replicas } };
  return scaleGet(update(e, rt, ns, name, updated, { ...opts, subresource: undefined }).object);
}
