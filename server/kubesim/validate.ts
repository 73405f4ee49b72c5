// Validation with the API server's field errors: names, labels, the commonest per-kind rules, immutable fields.
import type { FieldError } from './errors.ts';
import type { NameRule, ResourceType } from './kinds.ts';
import { selectorMatcher } from './selectors.ts';
import { arr, deepEqual, isObject, type JsonObject, str } from './util.ts';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

const MSG = {
  label:
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  subdomain:
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  dns1035:
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  qualified:
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  labelValue:
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  configKey:
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
};

export function nameErrors(rule: NameRule, name: string, field = 'metadata.name'): FieldError[] {
  const errs: FieldError[] = [];
  const bad = (detail: string) => errs.push({ type: 'Invalid', field, value: name, detail });
  switch (rule) {
    case 'label':
      if (name.length > 63) bad('must be no more than 63 characters');
      if (!LABEL.test(name)) bad(MSG.label);
      break;
    case 'dns1035':
      if (name.length > 63) bad('must be no more than 63 characters');
      if (!DNS1035.test(name)) bad(MSG.dns1035);
      break;
    case 'subdomain':
      if (name.length > 253) bad('must be no more than 253 characters');
      if (!SUBDOMAIN.test(name)) bad(MSG.subdomain);
      break;
    case 'path':
      if (name === '.' || name === '..') bad(`may not be '${name}'`);
      for (const ch of ['/', '%']) if (name.includes(ch)) bad(`may not contain '${ch}'`);
      break;
  }
  return errs;
}

function qualifiedNameErrors(key: string, field: string): FieldError[] {
  const parts = key.split('/');
  const name = parts.length === 2 ? (parts[1] ?? '') : key;
  const errs: FieldError[] = [];
  if (parts.length > 2 || name === '' || !QUALIFIED_NAME.test(name)) {
    errs.push({ type: 'Invalid', field, value: key, detail: MSG.qualified });
  } else if (name.length > 63) {
    errs.push({ type: 'Invalid', field, value: key, detail: 'name part must be no more than 63 characters' });
  }
  if (parts.length === 2 && !SUBDOMAIN.test(parts[0] ?? '')) {
    errs.push({ type: 'Invalid', field, value: key, detail: `prefix part ${MSG.subdomain}` });
  }
  return errs;
}

export function metadataErrors(o: JsonObject, rt: ResourceType): FieldError[] {
  const meta = isObject(o.metadata) ? o.metadata : {};
  const errs: FieldError[] = [];
  const name = str(meta.name) ?? '';
  if (!name)
    errs.push({ type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' });
  else errs.push(...nameErrors(rt.nameRule, name));
  const labels = isObject(meta.labels) ? meta.labels : {};
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...qualifiedNameErrors(k, 'metadata.labels'));
    const value = String(v);
    if (value.length > 63) {
      errs.push({
        type: 'Invalid',
        field: 'metadata.labels',
        value,
        detail: 'must be no more than 63 characters',
      });
    }
    if (!LABEL_VALUE.test(value)) {
      errs.push({ type: 'Invalid', field: 'metadata.labels', value, detail: MSG.labelValue });
    }
  }
  const annotations = isObject(meta.annotations) ? meta.annotations : {};
  for (const k of Object.keys(annotations)) errs.push(...qualifiedNameErrors(k, 'metadata.annotations'));
  return errs;
}

function podSpecErrors(spec: unknown, path: string, restart: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(spec)) return [{ type: 'Required', field: path }];
  const containers = arr(spec.containers);
  if (containers.length === 0) errs.push({ type: 'Required', field: `${path}.containers` });
  for (const field of ['containers', 'initContainers']) {
    const seen = new Set<string>();
    arr(spec[field]).forEach((c, i) => {
      const p = `${path}.${field}[${i}]`;
      const cc = isObject(c) ? c : {};
      const name = str(cc.name);
      if (!name) errs.push({ type: 'Required', field: `${p}.name` });
      else {
        errs.push(...nameErrors('label', name, `${p}.name`));
        if (seen.has(name)) errs.push({ type: 'Duplicate', field: `${p}.name`, value: name });
        seen.add(name);
      }
      if (!str(cc.image)) errs.push({ type: 'Required', field: `${p}.image` });
      arr(cc.ports).forEach((port, j) => {
        const n = isObject(port) ? port.containerPort : undefined;
        if (typeof n !== 'number' || n < 1 || n > 65535) {
          errs.push({
            type: 'Invalid',
            field: `${p}.ports[${j}].containerPort`,
            value: n ?? 0,
            detail: 'must be between 1 and 65535, inclusive',
          });
        }
      });
    });
  }
  const rp = str(spec.restartPolicy);
  if (rp && !restart.includes(rp)) {
    errs.push({
      type: 'NotSupported',
      field: `${path}.restartPolicy`,
      value: rp,
      detail: `supported values: ${restart.map((r) => `"${r}"`).join(', ')}`,
    });
  }
  return errs;
}

function workloadErrors(spec: JsonObject, restart: string[], needSelector = true): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof spec.replicas === 'number' && spec.replicas < 0) {
    errs.push({
      type: 'Invalid',
      field: 'spec.replicas',
      value: spec.replicas,
      detail: 'must be greater than or equal to 0',
    });
  }
  const tpl = isObject(spec.template) ? spec.template : undefined;
  const labels = tpl && isObject(tpl.metadata) && isObject(tpl.metadata.labels) ? tpl.metadata.labels : {};
  if (needSelector && !isObject(spec.selector)) errs.push({ type: 'Required', field: 'spec.selector' });
  else if (needSelector && !selectorMatcher(spec.selector)(labels as Record<string, string>)) {
    errs.push({
      type: 'Invalid',
      field: 'spec.template.metadata.labels',
      value: labels,
      detail: '`selector` does not match template `labels`',
    });
  }
  errs.push(...podSpecErrors(tpl?.spec, 'spec.template.spec', restart));
  return errs;
}

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function serviceErrors(spec: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(spec.type) ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) {
    errs.push({
      type: 'NotSupported',
      field: 'spec.type',
      value: type,
      detail: `supported values: ${SERVICE_TYPES.map((t) => `"${t}"`).join(', ')}`,
    });
  }
  const ports = arr(spec.ports);
  if (ports.length === 0 && type !== 'ExternalName' && spec.clusterIP !== 'None') {
    errs.push({ type: 'Required', field: 'spec.ports' });
  }
  ports.forEach((p, i) => {
    const port = isObject(p) ? p.port : undefined;
    if (typeof port !== 'number' || port < 1 || port > 65535) {
      errs.push({
        type: 'Invalid',
        field: `spec.ports[${i}].port`,
        value: port ?? 0,
        detail: 'must be between 1 and 65535, inclusive',
      });
    }
    if (ports.length > 1 && !(isObject(p) && str(p.name)))
      errs.push({ type: 'Required', field: `spec.ports[${i}].name` });
  });
  return errs;
}

function crdErrors(o: JsonObject): FieldError[] {
  const spec = isObject(o.spec) ? o.spec : {};
  const names = isObject(spec.names) ? spec.names : {};
  const group = str(spec.group) ?? '';
  const plural = str(names.plural) ?? '';
  const errs: FieldError[] = [];
  if (!group) errs.push({ type: 'Required', field: 'spec.group' });
  else if (!group.includes('.')) {
    errs.push({
      type: 'Invalid',
      field: 'spec.group',
      value: group,
      detail: 'should be a domain with at least one dot',
    });
  }
  if (!plural) errs.push({ type: 'Required', field: 'spec.names.plural' });
  if (!str(names.kind)) errs.push({ type: 'Required', field: 'spec.names.kind' });
  const name = isObject(o.metadata) ? str(o.metadata.name) : undefined;
  if (plural && group && name !== `${plural}.${group}`) {
    errs.push({
      type: 'Invalid',
      field: 'metadata.name',
      value: name,
      detail: 'must be spec.names.plural+"."+spec.group',
    });
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    errs.push({
      type: 'NotSupported',
      field: 'spec.scope',
      value: spec.scope ?? '',
      detail: 'supported values: "Cluster", "Namespaced"',
    });
  }
  const versions = arr(spec.versions).filter(isObject);
  if (versions.length === 0)
    errs.push({
      type: 'Invalid',
      field: 'spec.versions',
      value: [],
      detail: 'must have exactly one version marked as storage version',
    });
  else if (versions.filter((v) => v.storage === true).length !== 1) {
    errs.push({
      type: 'Invalid',
      field: 'spec.versions',
      value: versions.map((v) => v.name),
      detail: 'must have exactly one version marked as storage version',
    });
  }
  return errs;
}

/** Per-kind rules on the whole object, run on create and update. */
export function kindErrors(o: JsonObject, rt: ResourceType): FieldError[] {
  if (rt.crd) return [];
  const spec = isObject(o.spec) ? o.spec : {};
  switch (rt.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet':
      return workloadErrors(spec, ['Always']);
    case 'Job':
      return workloadErrors(spec, ['OnFailure', 'Never'], false);
    case 'Pod':
      return podSpecErrors(o.spec, 'spec', ['Always', 'OnFailure', 'Never']);
    case 'Service':
      return serviceErrors(spec);
    case 'ConfigMap':
    case 'Secret':
      return ['data', 'binaryData']
        .flatMap((f) => Object.keys(isObject(o[f]) ? (o[f] as JsonObject) : {}).map((k) => ({ f, k })))
        .filter(({ k }) => !CONFIG_KEY.test(k))
        .map(({ f, k }) => ({
          type: 'Invalid' as const,
          field: `${f}[${k}]`,
          value: k,
          detail: MSG.configKey,
        }));
    case 'CustomResourceDefinition':
      return crdErrors(o);
    default:
      return [];
  }
}

const STS_MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

/** Fields that may not change once set. */
export function updateErrors(o: JsonObject, old: JsonObject, rt: ResourceType): FieldError[] {
  if (rt.crd) return [];
  const spec = isObject(o.spec) ? o.spec : {};
  const oldSpec = isObject(old.spec) ? old.spec : {};
  const immutable = (field: string, a: unknown, b: unknown): FieldError[] =>
    deepEqual(a, b) ? [] : [{ type: 'Invalid', field, value: a, detail: 'field is immutable' }];
  switch (rt.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'DaemonSet':
      return immutable('spec.selector', spec.selector, oldSpec.selector);
    case 'StatefulSet': {
      const strip = (s: JsonObject) =>
        Object.fromEntries(Object.entries(s).filter(([k]) => !STS_MUTABLE.includes(k)));
      if (deepEqual(strip(spec), strip(oldSpec))) return [];
      return [
        {
          type: 'Forbidden',
          field: 'spec',
          detail:
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        },
      ];
    }
    case 'Job':
      return [
        ...immutable('spec.selector', spec.selector, oldSpec.selector),
        ...immutable('spec.template', spec.template, oldSpec.template),
        ...immutable('spec.completions', spec.completions, oldSpec.completions),
      ];
    case 'Service':
      return spec.clusterIP === undefined
        ? []
        : immutable('spec.clusterIP', spec.clusterIP, oldSpec.clusterIP);
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return deepEqual(o.roleRef, old.roleRef)
        ? []
        : [{ type: 'Invalid', field: 'roleRef', value: o.roleRef, detail: 'cannot change roleRef' }];
    case 'ConfigMap':
    case 'Secret':
      if (old.immutable !== true) return [];
      return ['data', 'binaryData']
        .filter((f) => !deepEqual(o[f], old[f]))
        .map((f) => ({
          type: 'Forbidden' as const,
          field: f,
          detail: 'field is immutable when `immutable` is set',
        }));
    case 'PersistentVolumeClaim': {
      const strip = (s: JsonObject) => ({ ...s, resources: undefined, volumeName: undefined });
      return deepEqual(strip(spec), strip(oldSpec))
        ? []
        : [
            {
              type: 'Forbidden',
              field: 'spec',
              detail:
                'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
            },
          ];
    }
    default:
      return [];
  }
}
