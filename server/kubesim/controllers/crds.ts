// CustomResourceDefinitions: served kinds appear once the CRD is Established (after a short delay) and vanish with it.
import { ALL_VERBS, type ResourceType, storeKey } from '../kinds.ts';
import { arr, isObject, type JsonObject, obj, rfc3339, str } from '../util.ts';
import { type Ctx, condition } from './context.ts';

export const ESTABLISH_DELAY_MS = 50;

export function typesFromCrd(crd: JsonObject): ResourceType[] {
  const spec = obj(crd.spec);
  const names = obj(spec.names);
  const kind = String(names.kind ?? '');
  const plural = String(names.plural ?? '');
  return arr(spec.versions)
    .filter(isObject)
    .filter((v) => v.served !== false)
    .map((v) => {
      const sub = obj(v.subresources);
      const subresources: string[] = [];
      if (sub.status !== undefined) subresources.push('status');
      if (sub.scale !== undefined) subresources.push('scale');
      return {
        group: String(spec.group ?? ''),
        version: String(v.name ?? ''),
        kind,
        plural,
        singular: str(names.singular) ?? kind.toLowerCase(),
        namespaced: spec.scope === 'Namespaced',
        shortNames: arr(names.shortNames).map(String),
        categories: arr(names.categories).map(String),
        verbs: ALL_VERBS,
        subresources,
        nameRule: 'subdomain' as const,
        crd: {
          name: String(obj(crd.metadata).name),
          schema: isObject(obj(v.schema).openAPIV3Schema)
            ? (obj(v.schema).openAPIV3Schema as JsonObject)
            : undefined,
          printerColumns: arr(v.additionalPrinterColumns).filter(isObject),
        },
      };
    });
}

function established(crd: JsonObject): boolean {
  return arr(obj(crd.status).conditions).some(
    (x) => isObject(x) && x.type === 'Established' && x.status === 'True',
  );
}

/** Serves the CRD's kinds and reports it Established and NamesAccepted, as the apiextensions controllers do. */
export function establish(c: Ctx, name: string): void {
  const crdRt = c.rt('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
  const crd = c.engine.find(crdRt, '', name);
  if (!crd) return;
  register(c, crd);
  const spec = obj(crd.spec);
  const old = obj(crd.status);
  const at = rfc3339();
  const storage = arr(spec.versions)
    .filter(isObject)
    .find((v) => v.storage === true);
  const stored = new Set(arr(old.storedVersions).map(String));
  if (storage) stored.add(String(storage.name));
  c.setStatus(crdRt, crd, {
    conditions: [
      condition(old.conditions, 'NamesAccepted', 'True', 'NoConflicts', 'no conflicts found', at),
      condition(
        old.conditions,
        'Established',
        'True',
        'InitialNamesAccepted',
        'the initial names have been accepted',
        at,
      ),
    ],
    acceptedNames: spec.names,
    storedVersions: [...stored],
  });
}

function register(c: Ctx, crd: JsonObject): void {
  const name = String(obj(crd.metadata).name);
  const kinds = c.engine.kinds;
  for (const t of kinds.byCrd(name)) kinds.remove(t.group, t.version, t.plural);
  for (const t of typesFromCrd(crd)) kinds.add(t);
}

/** Reacts to a stored or deleted CRD (called inside the write). */
export function onCrdChange(c: Ctx, crd: JsonObject, deleted: boolean): void {
  const name = String(obj(crd.metadata).name);
  const kinds = c.engine.kinds;
  if (deleted) {
    const types = kinds.byCrd(name);
    for (const t of types) kinds.remove(t.group, t.version, t.plural);
    const keys = new Set(types.map(storeKey));
    for (const k of keys) c.engine.store.dropResource(k);
    return;
  }
  if (established(crd)) {
    register(c, crd);
    return;
  }
  c.timers.after(ESTABLISH_DELAY_MS, () => establish(c, name));
}
