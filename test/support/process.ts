// Starts Outpost as `npm start` does (the stripped build, its V8 flags) for e2e tests and benchmarks.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import path from 'node:path';
import { build } from '../../scripts/build.ts';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

let built = false;

/** dist/ from the code as it is now, once per process. */
export function buildOnce(): void {
  if (built) return;
  build();
  built = true;
}

/** The node flags and entry point of the `start` script (the image's CMD is the same, see the manifest test). */
export function startCommand(): { flags: string[]; main: string } {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const words = pkg.scripts.start.split(/\s+/);
  return { flags: words.filter((w) => w.startsWith('--')), main: words.at(-1) as string };
}

export interface OutpostProcess {
  url: string;
  proc: ChildProcess;
  logs: string[];
  /** ms from spawn to the "Outpost is up" log line. */
  startedInMs: number;
  stop(): Promise<number | null>;
}

/** A port that was free a moment ago: the child binds it itself, so we know where to reach it. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function startOutpost(env: Record<string, string>, timeoutMs = 30_000): Promise<OutpostProcess> {
  const spawned = Date.now();
  const port = await freePort();
  buildOnce();
  const { flags, main } = startCommand();
  const proc = spawn(process.execPath, [...flags, path.join(ROOT, main)], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      OUTPOST_PORT: String(port),
      OUTPOST_HOST: '127.0.0.1',
      OUTPOST_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const logs: string[] = [];
  proc.stdout?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const stop = async (): Promise<number | null> => {
    // Killed by a signal (a test's kill -9), a process has a signalCode and no exit code: it is gone all the same.
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    const killer = setTimeout(() => {
      try {
        process.kill(-(proc.pid as number), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, 10_000);
    const code = await exited;
    clearTimeout(killer);
    return code;
  };
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  proc.once('exit', () => {
    exited = true;
  });
  try {
    await waitFor(
      'Outpost to answer /healthz',
      async () => {
        if (exited) throw new Error('exited');
        return (await fetch(`${url}/healthz`)).ok;
      },
      timeoutMs,
      10,
    );
  } catch (err) {
    await stop();
    throw new Error(`Outpost did not start (${(err as Error).message}):\n${logs.join('')}`, { cause: err });
  }
  return { url, proc, logs, startedInMs: Date.now() - spawned, stop };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
