// A fast in-memory ClusterClient for unit tests of the apply verbs and sync steps: objects in a Map, discovery
// from a small table, label selectors by equality, server-side apply as "the desired object, server fields
// kept", every call recorded, and failures injected per verb and object. No HTTP, no timers, no simulator.
import { Readable } from 'node:stream';
import { ClusterError } from '../../server/cluster/client.ts';
import type {
  ApplyOptions,
  ClusterClient,
  KubeObject,
  ListOptions,
  LogOptions,
  ObjectRef,
  ResourceInfo,
} from '../../server/cluster/types.ts';
import { refOf, refString } from '../../server/cluster/types.ts';

export type Verb = 'resource' | 'get' | 'list' | 'names' | 'versions' | 'apply' | 'delete' | 'logs';

export interface Call {
  verb: Verb;
  /** The object (refString) or the kind (`apiVersion kind`) the call was about. */
  target: string;
  dryRun?: boolean;
  opts?: ListOptions;
}

/** The kinds every test cluster knows; `kinds` in the constructor adds more. */
const BUILT_IN: [string, string, string, boolean][] = [
  ['v1', 'Namespace', 'namespaces', false],
  ['v1', 'ConfigMap', 'configmaps', true],
  ['v1', 'Secret', 'secrets', true],
  ['v1', 'Service', 'services', true],
  ['v1', 'ServiceAccount', 'serviceaccounts', true],
  ['v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true],
  ['v1', 'Pod', 'pods', true],
  ['apps/v1', 'Deployment', 'deployments', true],
  ['apps/v1', 'StatefulSet', 'statefulsets', true],
  ['apps/v1', 'DaemonSet', 'daemonsets', true],
  ['apps/v1', 'ReplicaSet', 'replicasets', true],
  ['batch/v1', 'Job', 'jobs', true],
  ['batch/v1', 'CronJob', 'cronjobs', true],
  ['networking.k8s.io/v1', 'Ingress', 'ingresses', true],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', false],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', false],
];

const kindKey = (apiVersion: string, kind: string) => `${apiVersion} ${kind}`;

/** `a=b,c=d` (equality only: all Outpost sends). */
function matches(obj: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector
    .split(',')
    .map((term) => term.split('='))
    .every(([k, v]) => k !== undefined && obj.metadata.labels?.[k] === v);
}

export interface FakeClusterOptions {
  /** Extra kinds: [apiVersion, kind, plural, namespaced]. */
  kinds?: [string, string, string, boolean][];
  /**
   * What a controller would do to an object just applied (set status, say). By default a CRD is Established
   * at once, as the API server does within moments.
   */
  afterApply?: (obj: KubeObject) => void;
}

export class FakeCluster implements ClusterClient {
  readonly server = 'fake://cluster';
  readonly objects = new Map<string, KubeObject>();
  readonly calls: Call[] = [];
  readonly kinds = new Map<string, ResourceInfo>();
  discoveryInvalidations = 0;
  #failures: { verb: Verb; target?: string; dryRun?: boolean; error: Error }[] = [];
  #version = 0;
  #afterApply: (obj: KubeObject) => void;
  #logs = new Map<string, string>();

  constructor(opts: FakeClusterOptions = {}) {
    for (const [apiVersion, kind, plural, namespaced] of [...BUILT_IN, ...(opts.kinds ?? [])])
      this.kinds.set(kindKey(apiVersion, kind), { apiVersion, kind, plural, namespaced });
    this.#afterApply = opts.afterApply ?? establishCrds;
  }

  /** Puts objects in the cluster as they are (server fields filled in where missing), recording no call. */
  seed(...objs: KubeObject[]): this {
    for (const o of objs) this.objects.set(refString(refOf(o)), this.#stamp(structuredClone(o), null));
    return this;
  }

  /**
   * Every later call of `verb` (on `target`, a refString or `apiVersion kind`, if given; only the dry runs or only
   * the writes, if `when.dryRun` is given) throws `error`.
   */
  failOn(verb: Verb, error: Error, target?: string, when: { dryRun?: boolean } = {}): this {
    this.#failures.push({ verb, error, ...(target === undefined ? {} : { target }), ...when });
    return this;
  }

  /** A ClusterError as the API would answer, for failOn. */
  static error(status: number, reason: string, message = reason): ClusterError {
    return new ClusterError(message, status, reason);
  }

  setLog(pod: { namespace: string; name: string }, text: string): this {
    this.#logs.set(`${pod.namespace}/${pod.name}`, text);
    return this;
  }

  /** The calls of one verb, in order (optionally only the writes or only the dry runs). */
  callsOf(verb: Verb, filter?: { dryRun?: boolean }): Call[] {
    return this.calls.filter(
      (c) => c.verb === verb && (filter?.dryRun === undefined || (c.dryRun ?? false) === filter.dryRun),
    );
  }

  #record(call: Call): void {
    this.calls.push(call);
    const failure = this.#failures.find(
      (f) =>
        f.verb === call.verb &&
        (f.target === undefined || f.target === call.target) &&
        (f.dryRun === undefined || f.dryRun === (call.dryRun ?? false)),
    );
    if (failure) throw failure.error;
  }

  #info(apiVersion: string, kind: string): ResourceInfo {
    const info = this.kinds.get(kindKey(apiVersion, kind));
    if (!info) throw FakeCluster.error(404, 'NotFound', `the server could not find ${kind} in ${apiVersion}`);
    return info;
  }

  /** Server-owned fields: uid and creation kept, resourceVersion bumped, generation bumped on a spec change
   * (a seeded object keeps the generation it was given). */
  #stamp(obj: KubeObject, prev: KubeObject | null): KubeObject {
    const specChanged = !prev || JSON.stringify(prev.spec) !== JSON.stringify(obj.spec);
    obj.metadata = {
      ...obj.metadata,
      uid: prev?.metadata.uid ?? obj.metadata.uid ?? `uid-${++this.#version}`,
      creationTimestamp:
        prev?.metadata.creationTimestamp ?? obj.metadata.creationTimestamp ?? '2026-01-01T00:00:00Z',
      resourceVersion: String(++this.#version),
      generation: prev
        ? (prev.metadata.generation ?? 1) + (specChanged ? 1 : 0)
        : (obj.metadata.generation ?? 1),
    };
    if (prev?.status !== undefined && obj.status === undefined) obj.status = prev.status;
    return obj;
  }

  async ping(): Promise<void> {}

  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    this.#record({ verb: 'resource', target: kindKey(apiVersion, kind) });
    return this.#info(apiVersion, kind);
  }

  invalidateDiscovery(): void {
    this.discoveryInvalidations++;
  }

  async get(ref: ObjectRef): Promise<KubeObject | null> {
    const target = refString(ref);
    this.#record({ verb: 'get', target });
    this.#info(ref.apiVersion, ref.kind);
    const found = this.objects.get(target);
    return found ? structuredClone(found) : null;
  }

  async list(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<KubeObject[]> {
    this.#record({ verb: 'list', target: kindKey(apiVersion, kind), opts });
    this.#info(apiVersion, kind);
    return [...this.objects.values()]
      .filter(
        (o) =>
          o.apiVersion === apiVersion &&
          o.kind === kind &&
          (opts.namespace === undefined || o.metadata.namespace === opts.namespace) &&
          matches(o, opts.labelSelector),
      )
      .map((o) => structuredClone(o));
  }

  async names(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<string[]> {
    this.#record({ verb: 'names', target: kindKey(apiVersion, kind), opts });
    return (await this.#quietList(apiVersion, kind, opts)).map((o) => o.metadata.name);
  }

  /** Names and resourceVersions only, as a metadata-only LIST answers. */
  async versions(apiVersion: string, kind: string, opts: ListOptions = {}) {
    this.#record({ verb: 'versions', target: kindKey(apiVersion, kind), opts });
    return (await this.#quietList(apiVersion, kind, opts)).map((o) => ({
      name: o.metadata.name,
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      resourceVersion: o.metadata.resourceVersion ?? '',
      ...(o.metadata.generation === undefined ? {} : { generation: o.metadata.generation }),
      ...(o.metadata.uid ? { uid: o.metadata.uid } : {}),
      ...(o.metadata.labels ? { labels: o.metadata.labels } : {}),
      ...(o.metadata.annotations ? { annotations: o.metadata.annotations } : {}),
    }));
  }

  async #quietList(apiVersion: string, kind: string, opts: ListOptions): Promise<KubeObject[]> {
    this.#info(apiVersion, kind);
    return [...this.objects.values()].filter(
      (o) =>
        o.apiVersion === apiVersion &&
        o.kind === kind &&
        (opts.namespace === undefined || o.metadata.namespace === opts.namespace) &&
        matches(o, opts.labelSelector),
    );
  }

  async apply(obj: KubeObject, opts: ApplyOptions): Promise<KubeObject> {
    const target = refString(refOf(obj));
    this.#record({ verb: 'apply', target, dryRun: opts.dryRun ?? false });
    const info = this.#info(obj.apiVersion, obj.kind);
    if (info.namespaced && !obj.metadata.namespace)
      throw FakeCluster.error(400, 'BadRequest', `${target}: a namespace is required`);
    if (
      info.namespaced &&
      !this.objects.has(
        refString({ apiVersion: 'v1', kind: 'Namespace', name: obj.metadata.namespace as string }),
      ) &&
      obj.metadata.namespace !== 'default'
    )
      throw FakeCluster.error(404, 'NotFound', `namespaces "${obj.metadata.namespace}" not found`);
    const prev = this.objects.get(target) ?? null;
    const next = this.#stamp(structuredClone(obj), prev);
    if (opts.dryRun) return next;
    this.#afterApply(next);
    this.objects.set(target, next);
    if (obj.kind === 'CustomResourceDefinition') this.#learnCrd(next);
    return structuredClone(next);
  }

  #learnCrd(crd: KubeObject): void {
    const spec = crd.spec as {
      group: string;
      scope: string;
      names: { kind: string; plural: string };
      versions: { name: string }[];
    };
    for (const v of spec.versions ?? []) {
      const apiVersion = `${spec.group}/${v.name}`;
      this.kinds.set(kindKey(apiVersion, spec.names.kind), {
        apiVersion,
        kind: spec.names.kind,
        plural: spec.names.plural,
        namespaced: spec.scope === 'Namespaced',
      });
    }
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    const target = refString(ref);
    this.#record({ verb: 'delete', target });
    this.#info(ref.apiVersion, ref.kind);
    return this.objects.delete(target);
  }

  async logs(pod: { namespace: string; name: string }, _opts?: LogOptions): Promise<Readable> {
    const target = refString({ apiVersion: 'v1', kind: 'Pod', ...pod });
    this.#record({ verb: 'logs', target });
    if (!this.objects.has(target)) throw FakeCluster.error(404, 'NotFound', `pods "${pod.name}" not found`);
    return Readable.from([Buffer.from(this.#logs.get(`${pod.namespace}/${pod.name}`) ?? '')]);
  }

  close(): void {}
}

/** The API server marks a CRD Established within moments; the fake does it at once. */
function establishCrds(obj: KubeObject): void {
  if (obj.kind !== 'CustomResourceDefinition') return;
  obj.status = { conditions: [{ type: 'Established', status: 'True' }] };
}

/** A namespaced CRD `widgets.example.com` (kind Widget, version v1), and one of its objects: fixtures. */
export const WIDGET_CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { kind: 'Widget', plural: 'widgets' },
    versions: [{ name: 'v1' }],
  },
};
export const widget = (name: string, namespace = 'shop'): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name, namespace },
});
