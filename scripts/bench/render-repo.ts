// `outpost render` next to `kubectl kustomize` on a large repository: one site of a 500-object fleet among
// 1,400 files no build reads (docs, images, other sites), whole processes, interleaved in the same run.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeTree } from './render.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RUNS = 7;
const TIME = '/usr/bin/time';

/** base/ and sites/bench/ (render.ts), 60 more sites, 600 pages of docs with 20 images, 700 unrelated manifests. */
function writeRepo(dir: string): string {
  const site = writeTree(dir);
  for (let s = 0; s < 60; s++) {
    mkdirSync(path.join(dir, 'sites', `site-${s}`), { recursive: true });
    writeFileSync(
      path.join(dir, 'sites', `site-${s}`, 'kustomization.yaml'),
      `namespace: shop-${s}\nnamePrefix: s${s}-\nresources: [../../base]\n`,
    );
  }
  mkdirSync(path.join(dir, 'docs', 'images'), { recursive: true });
  for (let i = 0; i < 600; i++) {
    writeFileSync(path.join(dir, 'docs', `page-${i}.md`), `# Page ${i}\n\n${'Some prose. '.repeat(200)}\n`);
  }
  for (let i = 0; i < 20; i++) {
    const png = Buffer.alloc(700 * 1024, i);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    writeFileSync(path.join(dir, 'docs', 'images', `figure-${i}.png`), png);
  }
  mkdirSync(path.join(dir, 'charts', 'vendor'), { recursive: true });
  for (let i = 0; i < 700; i++) {
    writeFileSync(
      path.join(dir, 'charts', 'vendor', `crd-${i}.yaml`),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: vendor-${i}\ndata:\n  x: "${'y'.repeat(2000)}"\n`,
    );
  }
  return site;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
  rssMb: number;
}

/** One whole process under /usr/bin/time: wall clock, CPU (user + system) and peak RSS. */
async function measure(cmd: string, args: string[], cwd: string): Promise<Sample> {
  const start = process.hrtime.bigint();
  const { stderr } = await run(TIME, ['-f', 'TIME %U %S %M', cmd, ...args], { cwd, maxBuffer: 64 << 20 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const m = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
  if (!m) throw new Error(`no timing from ${cmd}: ${stderr}`);
  return { wallMs, cpuMs: (Number(m[1]) + Number(m[2])) * 1000, rssMb: Number(m[3]) / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const row = (xs: Sample[]) =>
  `${median(xs.map((s) => s.wallMs)).toFixed(0)} ms wall, ${median(xs.map((s) => s.cpuMs)).toFixed(0)} ms CPU, ${median(xs.map((s) => s.rssMb)).toFixed(0)} MiB peak`;

export const renderRepoBench = {
  id: 'render-repo',
  title: `outpost render vs kubectl kustomize on a large repository (medians of ${RUNS}, same run)`,
  async run(): Promise<[string, string][]> {
    if (!existsSync(TIME)) return [['skipped', `${TIME} is not installed`]];
    const dir = mkdtempSync(path.join(tmpdir(), 'outpost-bench-repo-'));
    try {
      const site = path.relative(dir, writeRepo(dir));
      const ours: Sample[] = [];
      const theirs: Sample[] = [];
      // Interleaved, so machine noise hits both alike; the first pair warms the disk cache and Node's
      // compile cache, as an operator's second run would be.
      for (let i = 0; i <= RUNS; i++) {
        const o = await measure(
          process.execPath,
          [path.join(ROOT, 'bin', 'outpost.js'), 'render', site],
          dir,
        );
        const k = await measure('kubectl', ['kustomize', site], dir);
        if (i > 0) {
          ours.push(o);
          theirs.push(k);
        }
      }
      const ratio = (f: (s: Sample) => number) => (median(ours.map(f)) / median(theirs.map(f))).toFixed(2);
      return [
        [
          'files in the repository',
          `${readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length} (20 images of 700 KB, 600 docs pages, 61 sites)`,
        ],
        ['outpost render (whole process)', row(ours)],
        ['kubectl kustomize', row(theirs)],
        ['ratio outpost / kubectl, wall (target ≤ 1.0)', ratio((s) => s.wallMs)],
        ['ratio outpost / kubectl, CPU', ratio((s) => s.cpuMs)],
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
