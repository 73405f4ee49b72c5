// `outpost sim`: the Kubernetes simulator standalone, with a kubeconfig for kubectl, tests and benchmarks.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { type Command, out, UsageError } from './io.ts';

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, kubeconfig: { type: 'string' } },
  });
  const port = values.port ? Number(values.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: "${values.port}" is not a port`);
  const kubeconfigPath = path.resolve(values.kubeconfig ?? 'sim-kubeconfig.yaml');
  const config = loadConfig();
  const { startKubesim } = await import('../kubesim/index.ts');
  const sim = await startKubesim({
    port,
    kubeconfigPath,
    failImages: config.sim.failImages,
    readyDelayMs: config.sim.readyDelayMs,
    latencyMs: config.sim.latencyMs,
  });
  out(`kubesim listening on ${sim.url}`);
  out(`kubeconfig written to ${kubeconfigPath}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return 0;
}

export const simCommand: Command = {
  run,
};
