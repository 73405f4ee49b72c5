// Checks k3s-manifest.yaml and the Dockerfile: least-privilege RBAC, restricted Pod Security, probes, network policy.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
}
interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
interface KubeDoc {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  rules?: Rule[];
  spec?: unknown;
}
interface Probe {
  httpGet?: { path?: string; port?: number | string };
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}
interface Container {
  name: string;
  image?: string;
  securityContext?: SecurityContext;
  ports?: { name?: string; containerPort?: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: { name: string; hostPath?: unknown }[];
}
interface DeploymentSpec {
  replicas?: number;
  strategy?: { type?: string };
  selector?: { matchLabels?: Record<string, string> };
  template: { metadata?: Meta; spec: PodSpec };
}
interface NetworkPolicyPort {
  protocol?: string;
  port?: number | string;
}
interface NetworkPolicySpec {
  podSelector?: { matchLabels?: Record<string, string> };
  policyTypes?: string[];
  ingress?: { ports?: NetworkPolicyPort[] }[];
}

const root = path.resolve(import.meta.dirname, '..', '..');
const manifestText = readFileSync(path.join(root, 'k3s-manifest.yaml'), 'utf8');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

const parsed = parseAllDocuments(manifestText);
const yamlDocs = Array.isArray(parsed) ? parsed : [];
const docs: KubeDoc[] = yamlDocs.map((d) => d.toJS() as KubeDoc | null).filter((d) => d !== null);

function byKind(kind: string): KubeDoc[] {
  return docs.filter((d) => d.kind === kind);
}

function one(kind: string, name: string): KubeDoc {
  const found = docs.find((d) => d.kind === kind && d.metadata?.name === name);
  assert.ok(found, `${kind} ${name} is in the manifest`);
  return found;
}

const rbacRoles = [...byKind('ClusterRole'), ...byKind('Role')];
const deployment = one('Deployment', 'outpost');
const deploymentSpec = deployment.spec as DeploymentSpec;
const podSpec = deploymentSpec.template.spec;
const allContainers = [
  ...podSpec.containers,
  ...(podSpec.initContainers ?? []),
  ...(podSpec.ephemeralContainers ?? []),
];

test('manifest parses and every document has apiVersion, kind and metadata.name', () => {
  assert.ok(Array.isArray(parsed), 'the manifest is a multi-document YAML stream');
  for (const d of yamlDocs) assert.deepEqual(d.errors, [], 'YAML parses without errors');
  assert.ok(docs.length >= 10, `expected the full set of objects, got ${docs.length}`);
  for (const d of docs) {
    assert.equal(typeof d.apiVersion, 'string', `apiVersion on ${JSON.stringify(d.metadata)}`);
    assert.equal(typeof d.kind, 'string', `kind on ${JSON.stringify(d.metadata)}`);
    assert.ok(d.metadata?.name, `metadata.name on a ${d.kind}`);
  }
});

test('manifest labels every object as part of outpost', () => {
  for (const d of docs) {
    const labels = d.metadata?.labels ?? {};
    assert.equal(labels['app.kubernetes.io/name'], 'outpost', `${d.kind} ${d.metadata?.name}`);
    assert.equal(labels['app.kubernetes.io/part-of'], 'outpost', `${d.kind} ${d.metadata?.name}`);
  }
});

test('namespace enforces the restricted pod security standard', () => {
  const labels = one('Namespace', 'outpost-system').metadata?.labels ?? {};
  assert.equal(labels['pod-security.kubernetes.io/enforce'], 'restricted');
  assert.equal(labels['pod-security.kubernetes.io/enforce-version'], 'latest');
  assert.equal(labels['pod-security.kubernetes.io/audit'], 'restricted');
  assert.equal(labels['pod-security.kubernetes.io/warn'], 'restricted');
  for (const d of docs) {
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(d.kind ?? '');
    if (!clusterScoped)
      assert.equal(d.metadata?.namespace, 'outpost-system', `${d.kind} ${d.metadata?.name}`);
  }
});

test('manifest grants no wildcard rules', () => {
  assert.ok(rbacRoles.length > 0, 'the manifest has RBAC roles');
  for (const role of rbacRoles) {
    for (const rule of role.rules ?? []) {
      const fields = [rule.apiGroups, rule.resources, rule.verbs, rule.resourceNames, rule.nonResourceURLs];
      for (const value of fields.flatMap((f) => f ?? [])) {
        assert.ok(!value.includes('*'), `${role.kind} ${role.metadata?.name} has a wildcard: ${value}`);
      }
    }
  }
});

test('manifest grants no bind, escalate or impersonate verbs', () => {
  for (const role of rbacRoles) {
    for (const rule of role.rules ?? []) {
      for (const verb of ['bind', 'escalate', 'impersonate']) {
        assert.ok(!rule.verbs?.includes(verb), `${role.kind} ${role.metadata?.name} grants ${verb}`);
      }
    }
  }
});

test('no cluster role can list or watch secrets', () => {
  for (const role of byKind('ClusterRole')) {
    for (const rule of role.rules ?? []) {
      if (!rule.resources?.includes('secrets')) continue;
      for (const verb of ['list', 'watch']) {
        assert.ok(!rule.verbs?.includes(verb), `ClusterRole ${role.metadata?.name} can ${verb} secrets`);
      }
    }
  }
});

test('cluster role bindings grant roles only to the outpost service account', () => {
  const roleNames = new Set(byKind('ClusterRole').map((r) => r.metadata?.name));
  one('ServiceAccount', 'outpost');
  for (const binding of byKind('ClusterRoleBinding')) {
    const b = binding as KubeDoc & {
      roleRef?: { kind?: string; name?: string };
      subjects?: { kind?: string; name?: string; namespace?: string }[];
    };
    assert.ok(roleNames.has(b.roleRef?.name), `${b.metadata?.name} binds a role from this manifest`);
    assert.deepEqual(b.subjects, [{ kind: 'ServiceAccount', name: 'outpost', namespace: 'outpost-system' }]);
  }
});

test('pod meets the restricted pod security standard', () => {
  const pod = podSpec.securityContext ?? {};
  assert.equal(pod.runAsNonRoot, true, 'runAsNonRoot');
  assert.notEqual(pod.runAsUser, 0, 'runAsUser is not root');
  assert.equal(pod.seccompProfile?.type, 'RuntimeDefault', 'seccomp RuntimeDefault');
  assert.notEqual(podSpec.hostNetwork, true, 'no hostNetwork');
  assert.notEqual(podSpec.hostPID, true, 'no hostPID');
  assert.notEqual(podSpec.hostIPC, true, 'no hostIPC');
  for (const volume of podSpec.volumes ?? []) {
    assert.equal(volume.hostPath, undefined, `volume ${volume.name} is not a hostPath`);
  }
  for (const c of allContainers) {
    const sc = c.securityContext ?? {};
    assert.equal(sc.allowPrivilegeEscalation, false, `${c.name}: allowPrivilegeEscalation false`);
    assert.notEqual(sc.privileged, true, `${c.name}: not privileged`);
    assert.equal(sc.readOnlyRootFilesystem, true, `${c.name}: readOnlyRootFilesystem`);
    assert.deepEqual(sc.capabilities?.drop, ['ALL'], `${c.name}: drops ALL capabilities`);
    assert.deepEqual(sc.capabilities?.add ?? [], [], `${c.name}: adds no capabilities`);
    assert.notEqual(sc.runAsNonRoot, false, `${c.name}: does not override runAsNonRoot`);
    assert.notEqual(sc.runAsUser, 0, `${c.name}: does not run as root`);
  }
});

test('deployment runs one replica with Recreate, probes on /healthz and /readyz, and resources', () => {
  assert.equal(deploymentSpec.replicas, 1);
  assert.equal(deploymentSpec.strategy?.type, 'Recreate', 'one SQLite writer, even during a rollout');
  const [c] = podSpec.containers;
  assert.ok(c, 'the deployment has a container');
  assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
  assert.equal(c.readinessProbe?.httpGet?.path, '/readyz');
  assert.ok(c.startupProbe?.httpGet?.path, 'a startup probe guards the first start');
  assert.ok(
    c.ports?.some((p) => p.containerPort === 8080 && p.name === 'http'),
    'exposes 8080 as http',
  );
  for (const kind of ['requests', 'limits'] as const) {
    assert.ok(c.resources?.[kind]?.cpu, `cpu ${kind}`);
    assert.ok(c.resources?.[kind]?.memory, `memory ${kind}`);
  }
});

test('deployment mounts the volume claim and config map the manifest defines', () => {
  const volumes = (podSpec.volumes ?? []) as {
    persistentVolumeClaim?: { claimName?: string };
    configMap?: { name?: string };
  }[];
  const claim = volumes.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName;
  const configMap = volumes.find((v) => v.configMap)?.configMap?.name;
  one('PersistentVolumeClaim', claim ?? '');
  one('ConfigMap', configMap ?? '');
  const serviceAccount = (podSpec as PodSpec & { serviceAccountName?: string }).serviceAccountName;
  one('ServiceAccount', serviceAccount ?? '');
});

test('network policy selects the outpost pod and admits ingress only on port 8080', () => {
  const policies = byKind('NetworkPolicy');
  assert.ok(policies.length > 0, 'a NetworkPolicy exists');
  const podLabels = deploymentSpec.template.metadata?.labels ?? {};
  const selecting = policies.filter((p) => {
    const want = (p.spec as NetworkPolicySpec).podSelector?.matchLabels ?? {};
    return Object.keys(want).length > 0 && Object.entries(want).every(([k, v]) => podLabels[k] === v);
  });
  assert.equal(selecting.length, 1, 'exactly one policy selects the outpost pod');
  const spec = selecting[0]?.spec as NetworkPolicySpec;
  assert.deepEqual([...(spec.policyTypes ?? [])].sort(), ['Egress', 'Ingress']);
  assert.ok((spec.ingress ?? []).length > 0, 'ingress has rules');
  for (const rule of spec.ingress ?? []) {
    assert.ok(rule.ports && rule.ports.length > 0, 'every ingress rule names its ports');
    for (const port of rule.ports) {
      assert.equal(port.port, 8080);
      assert.equal(port.protocol ?? 'TCP', 'TCP');
    }
  }
});

test('Dockerfile builds on node:24-alpine and runs what npm start runs, as a non-root user', () => {
  const lines = dockerfile
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const froms = lines.filter((l) => /^FROM\s/i.test(l));
  assert.ok(froms.length > 0, 'has a FROM');
  for (const from of froms) assert.match(from, /^FROM\s+node:24-alpine(\s|$)/i);
  const finalStage = lines.slice(lines.lastIndexOf(froms[froms.length - 1] ?? ''));
  const user = finalStage.filter((l) => /^USER\s/i.test(l)).at(-1);
  assert.ok(user, 'the final stage sets USER');
  const uid = user.split(/\s+/)[1]?.split(':')[0] ?? '';
  assert.ok(uid !== '' && uid !== 'root' && uid !== '0', `USER is not root: ${user}`);
  const cmd = finalStage.filter((l) => /^CMD\s/i.test(l)).at(-1);
  assert.ok(cmd, 'the final stage sets CMD');
  const argv = JSON.parse(cmd.replace(/^CMD\s+/i, '')) as string[];
  // The image runs the stripped build with the V8 flags `npm start` uses: the memory figures hold for both.
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  assert.deepEqual(argv, pkg.scripts.start?.split(/\s+/));
  assert.equal(argv.at(-1), 'dist/main.js');
  assert.ok(
    argv.slice(1, -1).every((a) => a.startsWith('--')),
    `only flags before the entry point: ${cmd}`,
  );
  assert.match(dockerfile, /RUN node scripts\/build\.ts/, 'strips the types when the image is built');
  assert.match(dockerfile, /npm ci --omit=dev/, 'installs production dependencies only');
});
