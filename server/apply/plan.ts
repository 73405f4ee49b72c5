// Plan: validate every rendered object before anything is applied; one bad object stops the whole revision.
import type { ClusterClient, KubeObject } from '../cluster/types.ts';
import { refOf, refString } from '../cluster/types.ts';
import { ValidationError } from './errors.ts';
import { orderObjects } from './order.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function describe(o: Partial<KubeObject>, index: number): string {
  const name = o.metadata?.name ?? `#${index + 1}`;
  return `${o.apiVersion ?? '?'} ${o.kind ?? '?'} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${name}`;
}

/** Checks that need no cluster: shape, names, duplicates. */
export function validateShape(objects: unknown[]): KubeObject[] {
  const seen = new Set<string>();
  objects.forEach((raw, i) => {
    const o = raw as Partial<KubeObject>;
    const id = describe(o, i);
    if (typeof o.apiVersion !== 'string' || o.apiVersion === '')
      throw new ValidationError(`${id}: apiVersion is missing`);
    if (typeof o.kind !== 'string' || o.kind === '') throw new ValidationError(`${id}: kind is missing`);
    if (!o.metadata || typeof o.metadata !== 'object')
      throw new ValidationError(`${id}: metadata is missing`);
    const name = o.metadata.name;
    if (typeof name !== 'string' || name === '') throw new ValidationError(`${id}: metadata.name is missing`);
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      throw new ValidationError(`${id}: metadata.name "${name}" is not a valid Kubernetes name`);
    }
    const ns = o.metadata.namespace;
    if (ns !== undefined && (typeof ns !== 'string' || !DNS_SUBDOMAIN.test(ns) || ns.length > 63)) {
      throw new ValidationError(`${id}: metadata.namespace "${String(ns)}" is not a valid namespace name`);
    }
    const key = refString(refOf(o as KubeObject));
    if (seen.has(key)) throw new ValidationError(`${key}: defined twice in this revision`);
    seen.add(key);
  });
  return objects as KubeObject[];
}

/** CRDs shipped in the same revision count as known kinds: their kinds exist only after apply. */
function kindsFromCrds(objects: KubeObject[]): Map<string, boolean> {
  const kinds = new Map<string, boolean>();
  for (const o of objects) {
    if (o.kind !== 'CustomResourceDefinition') continue;
    const spec = o.spec as {
      group?: string;
      scope?: string;
      names?: { kind?: string };
      versions?: { name: string }[];
    };
    for (const v of spec?.versions ?? []) {
      kinds.set(`${spec.group}/${v.name} ${spec.names?.kind}`, spec.scope === 'Namespaced');
    }
  }
  return kinds;
}

/** Full plan: shape, known kinds, namespaces where needed; returns objects in apply order. */
export async function planObjects(objects: unknown[], cluster: ClusterClient): Promise<KubeObject[]> {
  const valid = validateShape(objects);
  const crdKinds = kindsFromCrds(valid);
  for (const o of valid) {
    let namespaced = crdKinds.get(`${o.apiVersion} ${o.kind}`);
    if (namespaced === undefined) {
      try {
        namespaced = (await cluster.resource(o.apiVersion, o.kind)).namespaced;
      } catch (err) {
        if ((err as { status?: number }).status === 404) {
          throw new ValidationError(
            `${refString(refOf(o))}: the cluster does not know kind ${o.kind} in ${o.apiVersion}`,
            {
              cause: err,
            },
          );
        }
        throw err;
      }
    }
    if (namespaced && !o.metadata.namespace) {
      throw new ValidationError(`${refString(refOf(o))}: metadata.namespace is required for a ${o.kind}`);
    }
    if (!namespaced && o.metadata.namespace) {
      throw new ValidationError(
        `${refString(refOf(o))}: a ${o.kind} is cluster-scoped and takes no namespace`,
      );
    }
  }
  return orderObjects(valid);
}
