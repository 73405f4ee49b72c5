// Start-up time and resident memory: Outpost in demo and against an external simulator, next to bare servers.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDb } from '../../server/db/open.ts';
import { startKubesim } from '../../server/kubesim/index.ts';
import { readStatus } from '../../server/sync/status.ts';
import { ROOT, startOutpost, waitFor } from '../../test/support/process.ts';

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const IDLE_MS = 5_000;

async function bareServer(code: string): Promise<number> {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => proc.stdout.once('data', () => resolve()));
  await sleep(IDLE_MS);
  const rss = rssMb(proc.pid as number);
  proc.kill();
  return rss;
}

async function outpostRun(env: Record<string, string>) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'outpost-bench-'));
  const started = Date.now();
  const o = await startOutpost({ OUTPOST_DATA_DIR: dataDir, OUTPOST_LOG_LEVEL: 'warn', ...env });
  // Poll from the moment of spawn: how long a kubelet's readiness probe would wait.
  await waitFor('readyz', async () => (await fetch(`${o.url}/readyz`)).status === 200, 30_000);
  const readyMs = Date.now() - started;
  // The store says when the first sync is done (the page would need a login).
  await waitFor('first sync', async () => {
    const db = openDb(dataDir, { readonly: true });
    try {
      return readStatus(db).attempted?.result === 'succeeded';
    } finally {
      db.close();
    }
  });
  await sleep(IDLE_MS);
  const rss = rssMb(o.proc.pid as number);
  await o.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return { readyMs, rss };
}

export const startupAndMemory = {
  id: 'startup',
  title: `Start-up and idle memory (Node ${process.versions.node})`,
  async run(): Promise<[string, string][]> {
    const demo = await outpostRun({ OUTPOST_DEMO: '1' });
    const simDir = mkdtempSync(path.join(tmpdir(), 'outpost-bench-sim-'));
    const kubeconfig = path.join(simDir, 'kubeconfig.yaml');
    const sim = await startKubesim({ kubeconfigPath: kubeconfig });
    const external = await outpostRun({
      KUBECONFIG: kubeconfig,
      OUTPOST_SOURCE_KIND: 'dir',
      OUTPOST_SOURCE_URL: path.join(ROOT, 'demo', 'fleet'),
      OUTPOST_SOURCE_PATH: 'sites/berlin',
    });
    await sim.close();
    rmSync(simDir, { recursive: true, force: true });
    const http = await bareServer(
      "import http from 'node:http'; http.createServer((q, s) => s.end('hi')).listen(0, '127.0.0.1', () => console.log('up'));",
    );
    const express = await bareServer(
      "import express from 'express'; const a = express(); a.get('/', (q, s) => s.send('hi')); a.listen(0, '127.0.0.1', () => console.log('up'));",
    );
    return [
      ['npm start (demo, simulator in-process): idle RSS after first sync', `${demo.rss.toFixed(1)} MB`],
      ['Outpost against an external simulator: idle RSS after first sync', `${external.rss.toFixed(1)} MB`],
      ['bare Express hello world: idle RSS', `${express.toFixed(1)} MB`],
      ['bare node:http server: idle RSS', `${http.toFixed(1)} MB`],
      ['process start → /readyz 200 (demo)', `${demo.readyMs} ms`],
      ['process start → /readyz 200 (external simulator)', `${external.readyMs} ms`],
    ];
  },
};
