// Which maps are structs, maps or atomic and which lists merge by key: the merge/ownership rules of each field.
// Built-in kinds use rules keyed by field name (the same markers as the Kubernetes Go types: +listType=map,
// +listMapKey, +structType=atomic, +mapType=atomic); custom resources read the CRD's openAPIV3Schema.
import type { ResourceType } from './kinds.ts';
import { isObject, type JsonObject } from './util.ts';

export type ObjectType = 'struct' | 'map' | 'atomic';

export interface ListInfo {
  type: 'atomic' | 'set' | 'map';
  keys?: string[];
  /** Key fields the server defaults (ports' protocol), so identity holds before defaulting. */
  keyDefaults?: Record<string, unknown>;
}

export interface Schema {
  objectType(): ObjectType;
  list(): ListInfo;
  field(name: string): Schema;
  item(): Schema;
}

const ATOMIC_OBJECTS = new Set([
  'selector',
  'podSelector',
  'namespaceSelector',
  'labelSelector',
  'roleRef',
  'nodeSelector',
  'involvedObject',
  'related',
  'configMapKeyRef',
  'secretKeyRef',
  'fieldRef',
  'resourceFieldRef',
]);

const MAP_OBJECTS = new Set([
  'labels',
  'annotations',
  'limits',
  'requests',
  'capacity',
  'allocatable',
  'allocatedResources',
  'hard',
  'used',
  'matchLabels',
  'volumeAttributes',
  'max',
  'min',
  'default',
  'defaultRequest',
  'maxLimitRequestRatio',
]);

const BY_NAME = new Set([
  'containers',
  'initContainers',
  'ephemeralContainers',
  'env',
  'volumes',
  'imagePullSecrets',
  'resourceClaims',
]);

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

class BuiltinSchema implements Schema {
  private readonly kind: string;
  private readonly path: string[];

  constructor(kind: string, path: string[]) {
    this.kind = kind;
    this.path = path;
  }

  private last(n = 1): string | undefined {
    return this.path[this.path.length - n];
  }

  objectType(): ObjectType {
    const last = this.last();
    if (last === undefined) return 'struct';
    if (this.path.length === 1 && (last === 'data' || last === 'binaryData' || last === 'stringData')) {
      return this.kind === 'ControllerRevision' ? 'atomic' : 'map';
    }
    if (this.kind === 'StorageClass' && this.path.length === 1 && last === 'parameters') return 'map';
    if (ATOMIC_OBJECTS.has(last)) return 'atomic';
    if (MAP_OBJECTS.has(last)) return 'map';
    return 'struct';
  }

  list(): ListInfo {
    const last = this.last();
    if (last === undefined) return { type: 'atomic' };
    if (BY_NAME.has(last)) return { type: 'map', keys: ['name'] };
    switch (last) {
      case 'volumeMounts':
        return { type: 'map', keys: ['mountPath'] };
      case 'volumeDevices':
        return { type: 'map', keys: ['devicePath'] };
      case 'hostAliases':
        return { type: 'map', keys: ['ip'] };
      case 'topologySpreadConstraints':
        return { type: 'map', keys: ['topologyKey', 'whenUnsatisfiable'] };
      case 'ownerReferences':
        return { type: 'map', keys: ['uid'] };
      case 'finalizers':
        return { type: 'set' };
      case 'conditions':
        return this.path[0] === 'status' ? { type: 'map', keys: ['type'] } : { type: 'atomic' };
      case 'ports': {
        if (this.last(2) === '[]' && CONTAINER_LISTS.has(this.last(3) ?? '')) {
          return { type: 'map', keys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } };
        }
        if (this.kind === 'Service' && this.path.length === 2 && this.path[0] === 'spec') {
          return { type: 'map', keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } };
        }
        return { type: 'atomic' };
      }
      default:
        return { type: 'atomic' };
    }
  }

  field(name: string): Schema {
    return new BuiltinSchema(this.kind, [...this.path, name]);
  }

  item(): Schema {
    return new BuiltinSchema(this.kind, [...this.path, '[]']);
  }
}

/** Walks a CRD's structural schema; anything it does not describe behaves like a free-form map. */
class CrdSchema implements Schema {
  private readonly node: JsonObject | undefined;

  constructor(node: unknown) {
    this.node = isObject(node) ? node : undefined;
  }

  objectType(): ObjectType {
    if (this.node?.['x-kubernetes-map-type'] === 'atomic') return 'atomic';
    if (isObject(this.node?.properties)) return 'struct';
    return 'map';
  }

  list(): ListInfo {
    const t = this.node?.['x-kubernetes-list-type'];
    if (t === 'set') return { type: 'set' };
    if (t === 'map') {
      const keys = this.node?.['x-kubernetes-list-map-keys'];
      return { type: 'map', keys: Array.isArray(keys) ? keys.map(String) : [] };
    }
    return { type: 'atomic' };
  }

  field(name: string): Schema {
    const props = this.node?.properties;
    if (isObject(props) && isObject(props[name])) return new CrdSchema(props[name]);
    const extra = this.node?.additionalProperties;
    return new CrdSchema(isObject(extra) ? extra : undefined);
  }

  item(): Schema {
    return new CrdSchema(this.node?.items);
  }
}

/** Root of a custom resource: ObjectMeta keeps its built-in rules, the rest follows the CRD. */
class CustomRootSchema implements Schema {
  private readonly kind: string;
  private readonly root: CrdSchema;

  constructor(kind: string, schema: JsonObject | undefined) {
    this.kind = kind;
    this.root = new CrdSchema(schema ?? { properties: {} });
  }

  objectType(): ObjectType {
    return 'struct';
  }

  list(): ListInfo {
    return { type: 'atomic' };
  }

  field(name: string): Schema {
    if (name === 'metadata') return new BuiltinSchema(this.kind, ['metadata']);
    if (name === 'apiVersion' || name === 'kind') return new CrdSchema({ type: 'string' });
    return this.root.field(name);
  }

  item(): Schema {
    return this.root.item();
  }
}

export function schemaFor(rt: ResourceType): Schema {
  if (rt.crd) return new CustomRootSchema(rt.kind, rt.crd.schema);
  return new BuiltinSchema(rt.kind, []);
}

/** The identity of a list item under a map-type list: its key fields, defaults filled in. */
export function itemKey(item: unknown, info: ListInfo): Record<string, unknown> | undefined {
  if (!isObject(item) || !info.keys) return undefined;
  const key: Record<string, unknown> = {};
  for (const k of [...info.keys].sort()) {
    const v = item[k] ?? info.keyDefaults?.[k];
    if (v !== undefined) key[k] = v;
  }
  return key;
}
