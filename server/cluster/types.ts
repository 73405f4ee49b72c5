// Shapes shared by everything that talks about Kubernetes objects: refs, objects, the narrow client.
import type { Readable } from 'node:stream';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  managedFields?: unknown[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** What discovery says about a kind. */
export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
}

/** An object's identity and version, from a metadata-only LIST. */
export interface ObjectVersion {
  name: string;
  namespace?: string;
  resourceVersion: string;
  generation?: number;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: unknown[];
}

/** GET pods/log parameters, as the API names them. */
export interface LogOptions {
  container?: string;
  tailLines?: number;
  /** Keep the stream open and send lines as they come (the caller bounds and ends it). */
  follow?: boolean;
  limitBytes?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
}

/** The only surface of the Kubernetes API the rest of Outpost uses. */
export interface ClusterClient {
  /** Where the API server is, for messages. */
  readonly server: string;
  /** Cheap liveness check of the API server (GET /version). */
  ping(): Promise<void>;
  /** Discovery for one kind; throws ClusterError(404) for an unknown kind. */
  resource(apiVersion: string, kind: string): Promise<ResourceInfo>;
  /** Forget cached discovery (after CRDs are created). */
  invalidateDiscovery(): void;
  get(ref: ObjectRef): Promise<KubeObject | null>;
  list(apiVersion: string, kind: string, opts?: ListOptions): Promise<KubeObject[]>;
  /** Only the names (server-side Table, no objects): for "is it there" over many objects. */
  names(apiVersion: string, kind: string, opts?: ListOptions): Promise<string[]>;
  /** Names and resourceVersions only (metadata-only LIST): what a no-change resync compares with what it applied. */
  versions(apiVersion: string, kind: string, opts?: ListOptions): Promise<ObjectVersion[]>;
  apply(obj: KubeObject, opts: ApplyOptions): Promise<KubeObject>;
  /** Returns false when the object was already gone. */
  delete(ref: ObjectRef): Promise<boolean>;
  /** A pod's container log as a byte stream; throws ClusterError (e.g. 400 while the container waits to start). */
  logs(pod: { namespace: string; name: string }, opts?: LogOptions): Promise<Readable>;
  /** Drops kept-alive connections (shutdown). */
  close(): void;
}

/** `apps/v1 Deployment shop/web` — the identity used in every message. */
export function refString(ref: ObjectRef): string {
  const where = ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
  return `${ref.apiVersion} ${ref.kind} ${where}`;
}

export function refOf(obj: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  return ref;
}
