// meta.k8s.io/v1 Table responses, the server-side printing `kubectl get` asks for, with the usual columns.
import type { ResourceType } from './kinds.ts';
import { arr, humanDuration, isObject, type JsonObject, num, obj, str } from './util.ts';

interface Column {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
  cell: (o: JsonObject) => unknown;
}

const age = (o: JsonObject): string => {
  const ts = str(obj(o.metadata).creationTimestamp);
  return ts ? humanDuration(Date.now() - Date.parse(ts)) : '<unknown>';
};

const NAME: Column = { name: 'Name', format: 'name', cell: (o) => obj(o.metadata).name };
const AGE: Column = { name: 'Age', cell: age };

const n = (v: unknown): number => num(v) ?? 0;

function containerSummary(o: JsonObject, key: 'name' | 'image'): string {
  const spec = obj(obj(obj(o.spec).template).spec);
  return arr(spec.containers)
    .map((c) => str(obj(c)[key]) ?? '')
    .join(',');
}

function podStatus(pod: JsonObject): string {
  const status = obj(pod.status);
  if (obj(pod.metadata).deletionTimestamp) return 'Terminating';
  for (const cs of arr(status.containerStatuses)) {
    const state = obj(obj(cs).state);
    const waiting = obj(state.waiting);
    if (str(waiting.reason) && waiting.reason !== 'ContainerCreating') return String(waiting.reason);
    const term = obj(state.terminated);
    if (str(term.reason) && status.phase !== 'Succeeded') return String(term.reason);
  }
  if (status.phase === 'Succeeded') return 'Completed';
  if (status.phase === 'Pending' && obj(pod.spec).nodeName) return 'ContainerCreating';
  return str(status.phase) ?? 'Unknown';
}

function servicePorts(svc: JsonObject): string {
  const ports = arr(obj(svc.spec).ports).map((p) => {
    const pp = obj(p);
    const node = pp.nodePort ? `:${pp.nodePort}` : '';
    return `${pp.port}${node}/${pp.protocol ?? 'TCP'}`;
  });
  return ports.length > 0 ? ports.join(',') : '<none>';
}

function condition(o: JsonObject, type: string): JsonObject | undefined {
  return arr(obj(o.status).conditions)
    .filter(isObject)
    .find((c) => c.type === type);
}

const COLUMNS: Record<string, Column[]> = {
  Deployment: [
    NAME,
    { name: 'Ready', cell: (o) => `${n(obj(o.status).readyReplicas)}/${n(obj(o.spec).replicas)}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => n(obj(o.status).updatedReplicas) },
    { name: 'Available', type: 'integer', cell: (o) => n(obj(o.status).availableReplicas) },
    AGE,
    { name: 'Containers', priority: 1, cell: (o) => containerSummary(o, 'name') },
    { name: 'Images', priority: 1, cell: (o) => containerSummary(o, 'image') },
  ],
  StatefulSet: [
    NAME,
    { name: 'Ready', cell: (o) => `${n(obj(o.status).readyReplicas)}/${n(obj(o.spec).replicas)}` },
    AGE,
  ],
  ReplicaSet: [
    NAME,
    { name: 'Desired', type: 'integer', cell: (o) => n(obj(o.spec).replicas) },
    { name: 'Current', type: 'integer', cell: (o) => n(obj(o.status).replicas) },
    { name: 'Ready', type: 'integer', cell: (o) => n(obj(o.status).readyReplicas) },
    AGE,
  ],
  DaemonSet: [
    NAME,
    { name: 'Desired', type: 'integer', cell: (o) => n(obj(o.status).desiredNumberScheduled) },
    { name: 'Current', type: 'integer', cell: (o) => n(obj(o.status).currentNumberScheduled) },
    { name: 'Ready', type: 'integer', cell: (o) => n(obj(o.status).numberReady) },
    { name: 'Up-to-date', type: 'integer', cell: (o) => n(obj(o.status).updatedNumberScheduled) },
    { name: 'Available', type: 'integer', cell: (o) => n(obj(o.status).numberAvailable) },
    AGE,
  ],
  Pod: [
    NAME,
    {
      name: 'Ready',
      cell: (o) => {
        const cs = arr(obj(o.status).containerStatuses);
        const ready = cs.filter((c) => obj(c).ready === true).length;
        return `${ready}/${arr(obj(o.spec).containers).length}`;
      },
    },
    { name: 'Status', cell: podStatus },
    {
      name: 'Restarts',
      cell: (o) =>
        arr(obj(o.status).containerStatuses).reduce((s: number, c) => s + n(obj(c).restartCount), 0),
    },
    AGE,
    { name: 'IP', priority: 1, cell: (o) => str(obj(o.status).podIP) ?? '<none>' },
    { name: 'Node', priority: 1, cell: (o) => str(obj(o.spec).nodeName) ?? '<none>' },
  ],
  Namespace: [NAME, { name: 'Status', cell: (o) => str(obj(o.status).phase) ?? '' }, AGE],
  Node: [
    NAME,
    { name: 'Status', cell: (o) => (condition(o, 'Ready')?.status === 'True' ? 'Ready' : 'NotReady') },
    {
      name: 'Roles',
      cell: (o) => {
        const roles = Object.keys(obj(obj(o.metadata).labels))
          .filter((k) => k.startsWith('node-role.kubernetes.io/'))
          .map((k) => k.slice('node-role.kubernetes.io/'.length))
          .sort();
        return roles.length > 0 ? roles.join(',') : '<none>';
      },
    },
    AGE,
    { name: 'Version', cell: (o) => str(obj(obj(o.status).nodeInfo).kubeletVersion) ?? '' },
  ],
  ConfigMap: [
    NAME,
    {
      name: 'Data',
      type: 'integer',
      cell: (o) => Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length,
    },
    AGE,
  ],
  Secret: [
    NAME,
    { name: 'Type', cell: (o) => str(o.type) ?? '' },
    { name: 'Data', type: 'integer', cell: (o) => Object.keys(obj(o.data)).length },
    AGE,
  ],
  Service: [
    NAME,
    { name: 'Type', cell: (o) => str(obj(o.spec).type) ?? '' },
    { name: 'Cluster-IP', cell: (o) => str(obj(o.spec).clusterIP) ?? '<none>' },
    {
      name: 'External-IP',
      cell: (o) => {
        const ips = arr(obj(obj(o.status).loadBalancer).ingress).map(
          (i) => str(obj(i).ip) ?? str(obj(i).hostname),
        );
        if (ips.length > 0) return ips.join(',');
        return obj(o.spec).type === 'LoadBalancer' ? '<pending>' : '<none>';
      },
    },
    { name: 'Port(s)', cell: servicePorts },
    AGE,
  ],
  Job: [
    NAME,
    {
      name: 'Status',
      cell: (o) =>
        condition(o, 'Complete')?.status === 'True'
          ? 'Complete'
          : condition(o, 'Failed')?.status === 'True'
            ? 'Failed'
            : 'Running',
    },
    { name: 'Completions', cell: (o) => `${n(obj(o.status).succeeded)}/${n(obj(o.spec).completions) || 1}` },
    AGE,
  ],
  PersistentVolumeClaim: [
    NAME,
    { name: 'Status', cell: (o) => str(obj(o.status).phase) ?? '' },
    { name: 'Volume', cell: (o) => str(obj(o.spec).volumeName) ?? '' },
    { name: 'Capacity', cell: (o) => str(obj(obj(o.status).capacity).storage) ?? '' },
    { name: 'StorageClass', cell: (o) => str(obj(o.spec).storageClassName) ?? '' },
    AGE,
  ],
  Event: [
    {
      name: 'Last Seen',
      cell: (o) => humanDuration(Date.now() - Date.parse(String(o.lastTimestamp ?? o.eventTime ?? ''))),
    },
    { name: 'Type', cell: (o) => str(o.type) ?? '' },
    { name: 'Reason', cell: (o) => str(o.reason) ?? '' },
    {
      name: 'Object',
      cell: (o) =>
        `${String(obj(o.involvedObject).kind ?? '').toLowerCase()}/${obj(o.involvedObject).name ?? ''}`,
    },
    { name: 'Message', cell: (o) => str(o.message) ?? '' },
  ],
  CustomResourceDefinition: [NAME, { name: 'Created At', cell: (o) => obj(o.metadata).creationTimestamp }],
};

function jsonPathCell(o: JsonObject, path: string): unknown {
  let cur: unknown = o;
  for (const part of path.replace(/^\./, '').split('.')) cur = isObject(cur) ? cur[part] : undefined;
  return cur ?? null;
}

function columnsFor(rt: ResourceType): Column[] {
  if (rt.crd) {
    const extra = rt.crd.printerColumns.map(
      (c): Column => ({
        name: String(c.name ?? ''),
        type: str(c.type) ?? 'string',
        priority: num(c.priority) ?? 0,
        cell: (o) =>
          c.jsonPath === '.metadata.creationTimestamp' ? age(o) : jsonPathCell(o, String(c.jsonPath ?? '')),
      }),
    );
    return extra.some((c) => c.name === 'Age') ? [NAME, ...extra] : [NAME, ...extra, AGE];
  }
  return COLUMNS[rt.kind] ?? [NAME, AGE];
}

export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '');
}

export function toTable(
  rt: ResourceType,
  items: JsonObject[],
  listMeta: JsonObject,
  includeObject: string | null,
): JsonObject {
  const cols = columnsFor(rt);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: cols.map((c) => ({
      name: c.name,
      type: c.type ?? 'string',
      format: c.format ?? '',
      description: c.name,
      priority: c.priority ?? 0,
    })),
    rows: items.map((o) => {
      const row: JsonObject = { cells: cols.map((c) => c.cell(o)) };
      if (includeObject === 'Object') row.object = o;
      else if (includeObject !== 'None') {
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      }
      return row;
    }),
  };
}
