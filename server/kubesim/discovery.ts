// Discovery documents: /version, /api, /apis, APIResourceLists, and the OpenAPI v3 kubectl needs for apply.
import { createHash } from 'node:crypto';
import type { KindRegistry, ResourceType } from './kinds.ts';
import type { JsonObject } from './util.ts';

export const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4+k3s1',
  gitCommit: 'e7ab5b8d37a0b7aa8d2d8efa2e3d8b1e6d5b6a21',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T20:12:15Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
  };
}

function storageVersionHash(rt: ResourceType): string {
  return createHash('sha256').update(`${rt.group}/${rt.version}/${rt.kind}`).digest('base64').slice(0, 11);
}

export function resourceList(kinds: KindRegistry, group: string, version: string): JsonObject | undefined {
  const types = kinds.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const resources: JsonObject[] = [];
  for (const rt of [...types].sort((a, b) => (a.plural < b.plural ? -1 : 1))) {
    const r: JsonObject = {
      name: rt.plural,
      singularName: rt.singular,
      namespaced: rt.namespaced,
      kind: rt.kind,
      verbs: rt.verbs,
    };
    if (rt.shortNames.length > 0) r.shortNames = rt.shortNames;
    if (rt.categories.length > 0) r.categories = rt.categories;
    r.storageVersionHash = storageVersionHash(rt);
    resources.push(r);
    for (const sub of rt.subresources) {
      const s: JsonObject = { name: `${rt.plural}/${sub}`, singularName: '', namespaced: rt.namespaced };
      if (sub === 'scale') Object.assign(s, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
      else s.kind = rt.kind;
      s.verbs = sub === 'log' ? ['get'] : ['get', 'patch', 'update'];
      resources.push(s);
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

function groupEntry(name: string, versions: string[]): JsonObject {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function groupList(kinds: KindRegistry): JsonObject {
  const groups: JsonObject[] = [];
  for (const [name, versions] of kinds.groups()) if (name) groups.push(groupEntry(name, versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function group(kinds: KindRegistry, name: string): JsonObject | undefined {
  const versions = kinds.groups().get(name);
  if (!name || !versions) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(name, versions) };
}

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** OpenAPI v3 per group-version: only the operations, which is what kubectl reads to enable server-side validation. */
export function openapiGroupVersion(
  kinds: KindRegistry,
  group: string,
  version: string,
): JsonObject | undefined {
  const types = kinds.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const paths: JsonObject = {};
  const queryParams = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
    name,
    in: 'query',
    schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
  }));
  for (const rt of types) {
    const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
    const base = `/${gvPath(group, version)}${rt.namespaced ? '/namespaces/{namespace}' : ''}/${rt.plural}`;
    const ref = { $ref: `#/components/schemas/${schemaName(rt)}` };
    const ok = { description: 'OK', content: { 'application/json': { schema: ref } } };
    paths[`${base}/{name}`] = {
      get: { 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk, responses: { '200': ok } },
      patch: {
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: queryParams,
        responses: { '200': ok, '201': { ...ok, description: 'Created' } },
      },
    };
    paths[base] = {
      post: {
        'x-kubernetes-action': 'post',
        'x-kubernetes-group-version-kind': gvk,
        parameters: queryParams.filter((p) => p.name !== 'force'),
        responses: { '201': { ...ok, description: 'Created' } },
      },
    };
  }
  const schemas: JsonObject = {};
  for (const rt of types) {
    schemas[schemaName(rt)] = {
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: rt.group, version: rt.version, kind: rt.kind }],
      'x-kubernetes-preserve-unknown-fields': true,
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: VERSION.gitVersion },
    paths,
    components: { schemas },
  };
}

function schemaName(rt: ResourceType): string {
  const g = rt.group ? rt.group.split('.').reverse().join('.') : 'core';
  return `io.k8s.sim.${g}.${rt.version}.${rt.kind}`;
}

export function openapiIndex(kinds: KindRegistry): JsonObject {
  const paths: JsonObject = {};
  for (const [g, versions] of kinds.groups()) {
    for (const v of versions) {
      const doc = openapiGroupVersion(kinds, g, v);
      const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
      paths[gvPath(g, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(g, v)}?hash=${hash}` };
    }
  }
  return { paths };
}
