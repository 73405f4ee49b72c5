// Hostile fleet content against Outpost started as `npm start` does: the server's peak RSS, the failure its
// run recorded, and the worst /healthz answer polled every 100 ms throughout (issue 11, point 4).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDb } from '../../server/db/open.ts';
import { readStatus } from '../../server/sync/status.ts';
import { type GitServer, startGitServer } from '../../test/support/git-server.ts';
import { buildOnce, freePort, ROOT, startCommand } from '../../test/support/process.ts';
import { startSimProcess } from './sim.ts';

/** Each case ends here at the latest, the server's process group killed. */
const CASE_MS = 90_000;
const POLL_MS = 100;
const TARGET = { peakMb: 300, healthzMs: 1_000 };
const MB = 1024 * 1024;

interface HostileCase {
  name: string;
  /** The right outcome is a successful run: the baseline, or a hostile tree that only has to run in linear time. */
  succeeds?: boolean;
  /** Writes the hostile content; returns the source settings that point at it. */
  prepare(dir: string, git: GitServer): Record<string, string>;
}

function writeFiles(dir: string, files: Record<string, string>): string {
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

const dirSource = (dir: string) => ({
  OUTPOST_SOURCE_KIND: 'dir',
  OUTPOST_SOURCE_URL: dir,
  OUTPOST_SOURCE_PATH: '.',
});

const CONFIGMAP = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  k: v\n`;

const CASES: HostileCase[] = [
  {
    // Not hostile: what start-up and a first git sync cost by themselves, to read the others against.
    name: '(0) baseline: benign git repo, one ConfigMap',
    succeeds: true,
    prepare(_dir, git) {
      git.commit({ 'app.yaml': CONFIGMAP('app') });
      return { OUTPOST_SOURCE_KIND: 'git', OUTPOST_SOURCE_URL: git.url, OUTPOST_SOURCE_PATH: '.' };
    },
  },
  {
    name: '(a) git repo with a 700 MB zero blob',
    prepare(_dir, git) {
      git.commitZeros({ 'app.yaml': CONFIGMAP('app') }, { path: 'big.yaml', bytes: 700 * MB });
      return { OUTPOST_SOURCE_KIND: 'git', OUTPOST_SOURCE_URL: git.url, OUTPOST_SOURCE_PATH: '.' };
    },
  },
  {
    name: '(b) one 1 MB YAML file of nested [[[…]]]',
    prepare(dir) {
      const half = 512 * 1024 - 1; // with the newline, one byte under the 1 MiB per-file limit
      return dirSource(writeFiles(dir, { 'deep.yaml': `${'['.repeat(half)}${']'.repeat(half)}\n` }));
    },
  },
  {
    name: '(c) plain folder, 100 files × 2,000 documents',
    prepare(dir) {
      const files: Record<string, string> = {};
      for (let f = 0; f < 100; f++) {
        files[`part-${f}.yaml`] = Array.from({ length: 2_000 }, (_, i) => CONFIGMAP(`cm-${f}-${i}`)).join(
          '---\n',
        );
      }
      return dirSource(writeFiles(dir, files));
    },
  },
  {
    name: '(d) patch target name regex (a+)+$, 32-char name',
    // Valid RE2, as kustomize accepts it: it must simply not stall the node (linear time), and it matches nothing.
    succeeds: true,
    prepare(dir) {
      const name = `${'a'.repeat(31)}b`;
      return dirSource(
        writeFiles(dir, {
          'cm.yaml': CONFIGMAP(name),
          'kustomization.yaml': `resources: [cm.yaml]
patches:
  - target: {kind: ConfigMap, name: "(a+)+$"}
    patch: |-
      - op: add
        path: /data/patched
        value: "yes"
`,
        }),
      );
    },
  },
  {
    name: '(e) __proto__: key in a patch',
    prepare(dir) {
      return dirSource(
        writeFiles(dir, {
          'cm.yaml': CONFIGMAP('cm'),
          'kustomization.yaml': `resources: [cm.yaml]
patches:
  - patch: |-
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: cm
        namespace: default
      data:
        __proto__:
          polluted: "yes"
`,
        }),
      );
    },
  },
];

function procStatus(pid: number): { peakMb: number; rssMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
    return { peakMb: kb('VmHWM'), rssMb: kb('VmRSS') };
  } catch {
    return null;
  }
}

/** The first finished run, as the store (and so `outpost status --json`) reports it. */
function recordedOutcome(dataDir: string): string | null {
  try {
    const db = openDb(dataDir, { readonly: true });
    try {
      const a = readStatus(db).attempted;
      if (!a) return null;
      return a.result === 'succeeded'
        ? 'succeeded (no error)'
        : `${a.reason ?? a.result}: ${a.message ?? ''}`;
    } finally {
      db.close();
    }
  } catch {
    return null; // no store yet
  }
}

async function stopGroup(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  const group = -(proc.pid as number);
  process.kill(group, 'SIGTERM');
  const killer = setTimeout(() => process.kill(group, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(killer);
}

interface Measured {
  peakMb: number;
  rssAfterMb: number;
  outcome: string;
  worstHealthzMs: number;
}

async function runCase(c: HostileCase, tmp: string, git: GitServer, kubeconfig: string): Promise<Measured> {
  const caseDir = mkdtempSync(path.join(tmp, 'case-'));
  const source = c.prepare(path.join(caseDir, 'fleet'), git);
  const dataDir = path.join(caseDir, 'data');
  const port = await freePort();
  buildOnce();
  const { flags, main } = startCommand();
  const proc = spawn(process.execPath, [...flags, path.join(ROOT, main)], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KUBECONFIG: kubeconfig,
      OUTPOST_PORT: String(port),
      OUTPOST_HOST: '127.0.0.1',
      OUTPOST_DATA_DIR: dataDir,
      OUTPOST_LOG_LEVEL: 'warn',
      OUTPOST_REQUIRE_SIGNATURE: 'false',
      ...source,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const url = `http://127.0.0.1:${port}/healthz`;
  const deadline = Date.now() + CASE_MS;
  let up = false;
  let worst = 0;
  let peakMb = 0;
  let rssAfterMb = 0;
  let outcome: string | null = null;
  try {
    while (Date.now() < deadline && proc.exitCode === null && proc.signalCode === null) {
      const tick = Date.now();
      const t = performance.now();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
        await res.arrayBuffer();
        if (res.ok) up = true;
        if (up) worst = Math.max(worst, performance.now() - t);
      } catch {
        // Refused before the server listens; after that, a failed or timed-out answer counts as slow.
        if (up) worst = Math.max(worst, performance.now() - t);
      }
      const mem = procStatus(proc.pid as number);
      if (mem) {
        peakMb = Math.max(peakMb, mem.peakMb);
        rssAfterMb = mem.rssMb;
      }
      outcome = up ? recordedOutcome(dataDir) : null;
      if (outcome) break;
      await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - (Date.now() - tick))));
    }
  } finally {
    await stopGroup(proc);
    rmSync(caseDir, { recursive: true, force: true });
  }
  if (!outcome) {
    const ended = proc.exitCode ?? proc.signalCode;
    outcome =
      ended !== null && Date.now() < deadline
        ? `server exited (${ended}) before recording a run: ${stderr.trim().split('\n').at(-1) ?? ''}`
        : `no run recorded within ${CASE_MS / 1000} s`;
  }
  return { peakMb, rssAfterMb, outcome, worstHealthzMs: worst };
}

export const hostileBench = {
  id: 'hostile',
  title: `Hostile fleet content, server started as npm start does (targets: peak RSS < ${TARGET.peakMb} MB, a named error or — for (d) — a run in linear time, /healthz ≤ ${TARGET.healthzMs} ms)`,
  async run(): Promise<[string, string][]> {
    const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-bench-hostile-'));
    const sim = await startSimProcess(tmp);
    const git = await startGitServer();
    git.commit({ 'app.yaml': CONFIGMAP('app') }); // the default branch every served repo has
    const rows: [string, string][] = [];
    try {
      for (const c of CASES) {
        const m = await runCase(c, tmp, git, sim.kubeconfig);
        // The baseline and the linear-time regex should succeed; every other hostile case should fail by name.
        const expected = c.succeeds
          ? m.outcome.startsWith('succeeded')
          : /^[A-Z][A-Za-z]+Failed: /.test(m.outcome);
        const ok = m.peakMb < TARGET.peakMb && expected && m.worstHealthzMs <= TARGET.healthzMs;
        const message = m.outcome.length > 160 ? `${m.outcome.slice(0, 157)}...` : m.outcome;
        rows.push(
          [
            `${c.name}: peak RSS (VmHWM)`,
            `${m.peakMb.toFixed(0)} MB (${m.rssAfterMb.toFixed(0)} MB at the end)`,
          ],
          [`${c.name}: recorded run`, message],
          [`${c.name}: worst /healthz`, `${m.worstHealthzMs.toFixed(0)} ms`],
          [`${c.name}: meets all three targets`, ok ? 'yes' : 'NO'],
        );
      }
    } finally {
      await git.close();
      await sim.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
    return rows;
  },
};
