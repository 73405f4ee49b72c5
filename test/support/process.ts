// Starts `node server/main.ts` as a real process for e2e tests and benchmarks; finds its URL in the log.
import { type ChildProcess, spawn } from 'node:child_process';
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

export async function startOutpost(env: Record<string, string>, timeoutMs = 30_000): Promise<OutpostProcess> {
  const spawned = Date.now();
  const proc = spawn(process.execPath, [path.join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      OUTPOST_PORT: '0',
      OUTPOST_HOST: '127.0.0.1',
      OUTPOST_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const logs: string[] = [];
  const stop = async (): Promise<number | null> => {
    if (proc.exitCode !== null) return proc.exitCode;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    const killer = setTimeout(() => process.kill(-(proc.pid as number), 'SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(killer);
    return code;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Outpost did not start in ${timeoutMs} ms:\n${logs.join('')}`)),
      timeoutMs,
    );
    let buf = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        logs.push(`${line}\n`);
        try {
          const rec = JSON.parse(line) as { msg?: string; url?: string };
          if (rec.msg === 'Outpost is up' && rec.url) {
            clearTimeout(timer);
            resolve(rec.url.replace(/\/$/, ''));
          }
        } catch {
          // Not a log record.
        }
        nl = buf.indexOf('\n');
      }
    });
    proc.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Outpost exited with ${code} before it was up:\n${logs.join('')}`));
    });
  });
  return { url, proc, logs, startedInMs: Date.now() - spawned, stop };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
