// Real kubectl (v1.32) against the simulator: apply --server-side, get, wait, rollout, delete, conflicts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { type Kubesim, startKubesim } from '../../server/kubesim/index.ts';
import { type SimClient, simClient } from '../../server/kubesim/testing.ts';

let sim: Kubesim;
let k: SimClient;
let dir: string;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kubesim-kubectl-'));
  sim = await startKubesim({ readyDelayMs: 100, kubeconfigPath: path.join(dir, 'kubeconfig') });
  k = simClient(sim.url);
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** kubectl with its own discovery cache, so a reused port never serves stale discovery. */
function kubectl(...args: string[]): Promise<Run> {
  const full = [
    '--kubeconfig',
    sim.kubeconfigPath as string,
    '--cache-dir',
    path.join(dir, 'cache'),
    ...args,
  ];
  return new Promise((resolve) => {
    execFile('kubectl', full, { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

const APP = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  mode: production
`;

describe('kubectl', () => {
  test('kubectl apply --server-side creates everything and a second apply changes nothing', async () => {
    const f = file('app.yaml', APP);
    const first = await kubectl('apply', '--server-side', '-f', f);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /namespace\/shop serverside-applied/);
    assert.match(first.stdout, /deployment\.apps\/web serverside-applied/);
    assert.match(first.stdout, /configmap\/settings serverside-applied/);
    const rv = (await k.get('/api/v1/namespaces/shop/configmaps/settings')).body.metadata.resourceVersion;
    const second = await kubectl('apply', '--server-side', '-f', f);
    assert.equal(second.code, 0, second.stderr);
    const after = (await k.get('/api/v1/namespaces/shop/configmaps/settings')).body;
    assert.equal(after.metadata.resourceVersion, rv);
    assert.equal(after.metadata.managedFields[0].manager, 'kubectl');
  });

  test('kubectl rollout status waits for the Deployment and get deploy -A shows it ready', async () => {
    const rollout = await kubectl('rollout', 'status', 'deployment/web', '-n', 'shop', '--timeout=10s');
    assert.equal(rollout.code, 0, rollout.stderr);
    assert.match(rollout.stdout, /successfully rolled out/);
    const get = await kubectl('get', 'deploy', '-A');
    assert.equal(get.code, 0, get.stderr);
    const [header, ...rows] = get.stdout.trim().split('\n');
    assert.match(header as string, /^NAMESPACE\s+NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    assert.ok(
      rows.some((r) => /^shop\s+web\s+2\/2\s+2\s+2\s+/.test(r)),
      get.stdout,
    );
  });

  test('kubectl get ns lists the namespaces as Active', async () => {
    const res = await kubectl('get', 'ns');
    assert.equal(res.code, 0, res.stderr);
    for (const ns of ['default', 'kube-system', 'shop'])
      assert.match(res.stdout, new RegExp(`^${ns}\\s+Active\\s+`, 'm'));
  });

  test('kubectl get cm -o yaml prints the stored object', async () => {
    const res = await kubectl('get', 'cm', 'settings', '-n', 'shop', '-o', 'yaml');
    assert.equal(res.code, 0, res.stderr);
    const cm = parse(res.stdout);
    assert.equal(cm.kind, 'ConfigMap');
    assert.deepEqual(cm.data, { mode: 'production' });
    assert.match(cm.metadata.uid, /^[0-9a-f-]{36}$/);
    const pods = await kubectl('get', 'pods', '-n', 'shop', '-o', 'yaml');
    assert.equal(parseAllDocuments(pods.stdout)[0]?.toJSON().items.length, 2);
  });

  test('kubectl apply --server-side as another manager conflicts until --force-conflicts', async () => {
    const scaled = file('scaled.yaml', APP.replace('replicas: 2', 'replicas: 3'));
    const clash = await kubectl('apply', '--server-side', '--field-manager=ops', '-f', scaled);
    assert.notEqual(clash.code, 0);
    assert.match(clash.stderr, /conflict with "kubectl"/);
    assert.match(clash.stderr, /\.spec\.replicas/);
    const forced = await kubectl(
      'apply',
      '--server-side',
      '--field-manager=ops',
      '--force-conflicts',
      '-f',
      scaled,
    );
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await k.get('/apis/apps/v1/namespaces/shop/deployments/web')).body.spec.replicas, 3);
  });

  test('client-side kubectl apply creates, then reports unchanged', async () => {
    const f = file(
      'csa.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: csa\n  namespace: shop\ndata:\n  a: "1"\n',
    );
    const first = await kubectl('apply', '-f', f);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /configmap\/csa created/);
    const second = await kubectl('apply', '-f', f);
    assert.match(second.stdout, /configmap\/csa unchanged/);
    // Switching to --server-side migrates ownership (kubectl rewrites managedFields), so no conflict follows.
    const changed = file('csa2.yaml', readFileSync(f, 'utf8').replace('a: "1"', 'a: "2"'));
    const ssa = await kubectl('apply', '--server-side', '-f', changed);
    assert.equal(ssa.code, 0, ssa.stderr);
    const live = (await k.get('/api/v1/namespaces/shop/configmaps/csa')).body;
    assert.deepEqual(live.data, { a: '2' });
    const managers = live.metadata.managedFields.map((m: { manager: string }) => m.manager);
    assert.ok(!managers.includes('kubectl-client-side-apply'), managers.join());
  });

  test('kubectl waits for a CRD to be Established, then serves its custom resources', async () => {
    const crd = file(
      'crd.yaml',
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`,
    );
    assert.equal((await kubectl('apply', '--server-side', '-f', crd)).code, 0);
    const wait = await kubectl(
      'wait',
      '--for=condition=Established',
      'crd/gadgets.example.com',
      '--timeout=10s',
    );
    assert.equal(wait.code, 0, wait.stderr);
    const cr = file(
      'cr.yaml',
      'apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g1\n  namespace: shop\nspec:\n  size: 2\n',
    );
    const applied = await kubectl('apply', '--server-side', '-f', cr);
    assert.equal(applied.code, 0, applied.stderr);
    const list = await kubectl('get', 'gadgets', '-n', 'shop');
    assert.match(list.stdout, /^g1\s+/m);
  });

  test('kubectl create namespace, configmap and secret work although kubectl sends protobuf', async () => {
    assert.equal((await kubectl('create', 'namespace', 'made')).code, 0);
    const cm = await kubectl(
      'create',
      'configmap',
      'conf',
      '-n',
      'made',
      '--from-literal=a=1',
      '--from-literal=b=2',
    );
    assert.equal(cm.code, 0, cm.stderr);
    const secret = await kubectl(
      'create',
      'secret',
      'generic',
      'pw',
      '-n',
      'made',
      '--from-literal=password=hunter2',
    );
    assert.equal(secret.code, 0, secret.stderr);
    assert.deepEqual((await k.get('/api/v1/namespaces/made/configmaps/conf')).body.data, { a: '1', b: '2' });
    const stored = (await k.get('/api/v1/namespaces/made/secrets/pw')).body;
    assert.equal(Buffer.from(stored.data.password, 'base64').toString(), 'hunter2');
    assert.equal(stored.type, 'Opaque');
    const deploy = await kubectl('create', 'deployment', 'web', '--image=nginx', '-n', 'made');
    assert.notEqual(deploy.code, 0, 'protobuf is decoded only for a few simple kinds');
    assert.match(deploy.stderr, /send JSON/);
  });

  test('the kubeconfig is private to its owner and names the simulator', () => {
    const file = sim.kubeconfigPath as string;
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const cfg = parse(readFileSync(file, 'utf8'));
    assert.equal(cfg['current-context'], 'outpost-sim');
    assert.equal(cfg.clusters[0].cluster.server, sim.url);
    assert.equal(cfg.clusters[0].cluster['insecure-skip-tls-verify'], true);
  });

  test('kubectl delete removes objects and deleting the namespace removes the rest', async () => {
    const del = await kubectl('delete', 'cm', 'settings', '-n', 'shop');
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /configmap "settings" deleted/);
    assert.equal((await k.get('/api/v1/namespaces/shop/configmaps/settings')).status, 404);
    const ns = await kubectl('delete', 'ns', 'shop', '--timeout=10s');
    assert.equal(ns.code, 0, ns.stderr);
    assert.equal((await k.get('/apis/apps/v1/namespaces/shop/deployments/web')).status, 404);
    const gone = await kubectl('get', 'cm', 'settings', '-n', 'shop');
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound/);
  });
});
