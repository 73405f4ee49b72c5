// Chooses the cluster Outpost talks to: in-cluster → KUBECONFIG → the demo simulator started here.
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Kubesim } from '../kubesim/index.ts';
import { createClusterClient } from './client.ts';
import { type ClusterTarget, type KubeConfig, loadKubeConfig } from './kubeconfig.ts';
import type { ClusterClient } from './types.ts';

export interface Connected {
  cluster: ClusterClient;
  /** The library's configuration for the same cluster (watches and informers build on it). */
  kubeConfig: KubeConfig;
  /** Set in demo mode: the simulator to stop on shutdown. */
  sim: Kubesim | null;
}

export function demoKubeconfigPath(dataDir: string): string {
  return path.join(dataDir, 'demo-kubeconfig.yaml');
}

async function connectTo(target: ClusterTarget, sim: Kubesim | null): Promise<Connected> {
  const kubeConfig = await loadKubeConfig(target);
  return { cluster: await createClusterClient(kubeConfig), kubeConfig, sim };
}

export async function connectCluster(config: Config): Promise<Connected> {
  if (config.cluster.mode === 'demo') {
    const kubeconfigPath = demoKubeconfigPath(config.dataDir);
    // Loaded only in demo mode: the simulator never sits on the production path.
    const { startKubesim } = await import('../kubesim/index.ts');
    const sim = await startKubesim({
      kubeconfigPath,
      failImages: config.sim.failImages,
      readyDelayMs: config.sim.readyDelayMs,
      latencyMs: config.sim.latencyMs,
    });
    return connectTo({ mode: 'kubeconfig', path: kubeconfigPath }, sim);
  }
  return connectTo(config.cluster, null);
}
