// Writes a kubeconfig that points kubectl and @kubernetes/client-node at the simulator.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

export const CLUSTER_NAME = 'outpost-sim';

export function kubeconfigText(url: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: CLUSTER_NAME,
        // client-node refuses a plain-http server unless TLS verification is explicitly off.
        cluster: { server: url, 'insecure-skip-tls-verify': true },
      },
    ],
    users: [{ name: CLUSTER_NAME, user: { token: 'outpost-sim-token' } }],
    contexts: [
      { name: CLUSTER_NAME, context: { cluster: CLUSTER_NAME, user: CLUSTER_NAME, namespace: 'default' } },
    ],
    'current-context': CLUSTER_NAME,
    preferences: {},
  });
}

/** Mode 0600, like any kubeconfig holding a token. */
export function writeKubeconfig(file: string, url: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, kubeconfigText(url), { mode: 0o600 });
  chmodSync(file, 0o600);
}
