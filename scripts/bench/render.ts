// Render time of a 500-object base + overlay: `outpost render` next to `kubectl kustomize`, and in-process.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { render } from '../../server/render/index.ts';
import { dirSource } from '../../server/sources/dir.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const APPS = 100; // five objects each: Deployment, Service, ServiceAccount, PodDisruptionBudget, ConfigMap
const RUNS = 7;

function app(i: number): string {
  const name = `app-${i}`;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      serviceAccountName: ${name}
      containers:
        - name: main
          image: registry.example.com/shop/${name}:1.0.${i}
          ports: [{containerPort: 8080, name: http}]
          env:
            - {name: MODE, value: production}
            - {name: INDEX, value: "${i}"}
          envFrom: [{configMapRef: {name: ${name}-config}}]
          volumeMounts: [{name: config, mountPath: /etc/${name}}]
        - name: sidecar
          image: busybox:1.36
      volumes:
        - name: config
          configMap: {name: ${name}-config}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {app: ${name}}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${name}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: ${name}}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: ${name}}}
`;
}

/** A fleet repo: base/ with 100 apps and their generated config, sites/bench/ overlaying all of it. */
export function writeTree(dir: string): string {
  mkdirSync(path.join(dir, 'base', 'apps'), { recursive: true });
  mkdirSync(path.join(dir, 'sites', 'bench'), { recursive: true });
  const resources: string[] = [];
  const generators: string[] = [];
  for (let i = 0; i < APPS; i++) {
    writeFileSync(path.join(dir, 'base', 'apps', `app-${i}.yaml`), app(i));
    resources.push(`  - apps/app-${i}.yaml`);
    generators.push(`  - name: app-${i}-config\n    literals: [APP=app-${i}, PORT="8080"]`);
  }
  writeFileSync(
    path.join(dir, 'base', 'kustomization.yaml'),
    `resources:\n${resources.join('\n')}\nconfigMapGenerator:\n${generators.join('\n')}\n`,
  );
  writeFileSync(
    path.join(dir, 'sites', 'bench', 'kustomization.yaml'),
    `namespace: shop-bench
namePrefix: bench-
resources: [../../base]
labels:
  - pairs: {site: bench}
    includeSelectors: true
commonAnnotations: {example.com/site: bench}
images:
  - name: busybox
    newName: mirror.local/busybox
    newTag: "1.37"
replicas:
  - name: app-0
    count: 3
configMapGenerator:
  - name: app-0-config
    behavior: merge
    literals: [SITE=bench]
secretGenerator:
  - name: site-token
    literals: [token=abc]
patches:
  - target: {kind: Deployment}
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: any}
      spec:
        template:
          spec:
            containers:
              - name: main
                resources: {requests: {cpu: 50m, memory: 64Mi}}
                env: [{name: SITE, value: bench}]
  - target: {kind: Service, name: app-1.*}
    patch: |-
      - op: add
        path: /metadata/annotations/example.com~1tier
        value: front
`,
  );
  return path.join(dir, 'sites', 'bench');
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const best = (xs: number[]) => Math.min(...xs);
const ms = (x: number) => `${x.toFixed(1)} ms`;

export const renderSpeed = {
  id: 'render',
  title: `Render a ${APPS * 5}-object overlay (best / median of ${RUNS}, same run)`,
  async run(): Promise<[string, string][]> {
    const dir = mkdtempSync(path.join(tmpdir(), 'outpost-bench-render-'));
    try {
      const site = writeTree(dir);
      const { files } = await dirSource(dir).fetch();
      const count = render(files, 'sites/bench').length;
      // As an operator would: from the repository's top, naming the site (its base is `../../base`).
      const cliArgs = [path.join(ROOT, 'bin', 'outpost.js'), 'render', path.relative(dir, site)];
      const opts = { cwd: dir, maxBuffer: 64 << 20 };
      // Interleave the two commands so that machine noise hits both alike.
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        ours.push(await timed(() => run(process.execPath, cliArgs, opts)));
        theirs.push(await timed(() => run('kubectl', ['kustomize', path.relative(dir, site)], opts)));
      }
      const inProcess: number[] = [];
      for (let i = 0; i < RUNS + 3; i++) {
        inProcess.push(await timed(async () => render(files, 'sites/bench')));
      }
      const warm = inProcess.slice(3);
      return [
        ['objects rendered', String(count)],
        ['npx outpost render (whole CLI process)', `${ms(best(ours))} / ${ms(median(ours))}`],
        ['kubectl kustomize', `${ms(best(theirs))} / ${ms(median(theirs))}`],
        ['ratio outpost / kubectl (median; target ≤ 1.0)', (median(ours) / median(theirs)).toFixed(2)],
        ['in-process render(), first call', ms(inProcess[0] as number)],
        ['in-process render(), warm', `${ms(best(warm))} / ${ms(median(warm))}`],
        [
          'ratio in-process warm / kubectl (median; target ≤ 0.5)',
          (median(warm) / median(theirs)).toFixed(2),
        ],
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
