// The Kubernetes simulator in its own process for benchmarks, so its work never counts as Outpost's.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../test/support/process.ts';

export interface SimProcess {
  url: string;
  kubeconfig: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** `outpost sim` on a free port, writing its kubeconfig into `dir`; `env` adds OUTPOST_SIM_* settings. */
export async function startSimProcess(dir: string, env: Record<string, string> = {}): Promise<SimProcess> {
  const kubeconfig = path.join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}.yaml`);
  const proc = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'outpost.js'), 'sim', '--port', '0', '--kubeconfig', kubeconfig],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OUTPOST_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    proc.once('exit', () => reject(new Error(`simulator exited: ${out}`)));
  });
  return {
    url,
    kubeconfig,
    proc,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
