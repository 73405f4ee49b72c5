// Starts `node server/main.ts` as a real process for e2e tests and benchmarks, on a port chosen here.
import { type ChildProcess, spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

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
  const proc = spawn(process.execPath, [path.join(ROOT, 'server', 'main.ts')], {
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
    if (proc.exitCode !== null) return proc.exitCode;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    const killer = setTimeout(() => process.kill(-(proc.pid as number), 'SIGKILL'), 10_000);
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
