// Builds @kubernetes/client-node's KubeConfig from Outpost's configuration: the pod's service account or a
// kubeconfig file, with every auth method the library supports (tokens, client certificates, exec plugins, OIDC).
import { existsSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';

export type { KubeConfig };

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Where the cluster is, as config.ts decided it (the demo simulator writes a kubeconfig file). */
export type ClusterTarget =
  | { mode: 'in-cluster'; host: string; port: string; dir?: string }
  | { mode: 'kubeconfig'; path: string };

export class KubeconfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubeconfigError';
  }
}

// The library's config module (and the generated API models it pulls in) loads on first use, not at import:
// commands that never reach a cluster do not pay for it.
let library: Promise<typeof import('@kubernetes/client-node/dist/config.js')> | undefined;
function loadLibrary() {
  library ??= import('@kubernetes/client-node/dist/config.js');
  return library;
}

/**
 * The pod's service account, as the library's loadFromCluster builds it, but from the host, port and directory
 * config.ts chose (config.ts stays the only reader of the environment). The token file is re-read by the library's
 * tokenFile provider, so rotated tokens are used.
 */
function inCluster(kc: KubeConfig, t: { host: string; port: string; dir?: string }): void {
  const dir = t.dir ?? SERVICE_ACCOUNT_DIR;
  const ca = path.join(dir, 'ca.crt');
  const token = path.join(dir, 'token');
  for (const [file, what] of [
    [ca, 'service account CA'],
    [token, 'service account token'],
  ] as const) {
    if (!existsSync(file)) throw new KubeconfigError(`in-cluster: no ${what} at ${file}`);
  }
  const host = isIPv6(t.host) ? `[${t.host}]` : t.host;
  kc.loadFromOptions({
    clusters: [{ name: 'inCluster', server: `https://${host}:${t.port}`, caFile: ca, skipTLSVerify: false }],
    users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: token } } }],
    contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser' }],
    currentContext: 'inClusterContext',
  });
}

/** The KubeConfig for a target; throws KubeconfigError naming the file and what is wrong with it. */
export async function loadKubeConfig(target: ClusterTarget): Promise<KubeConfig> {
  const { KubeConfig } = await loadLibrary();
  const kc = new KubeConfig();
  if (target.mode === 'in-cluster') {
    inCluster(kc, target);
    return kc;
  }
  const file = target.path;
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new KubeconfigError(`kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
  }
  const context = kc.getCurrentContext();
  if (!context) throw new KubeconfigError(`kubeconfig ${file}: no current-context`);
  if (!kc.getContextObject(context))
    throw new KubeconfigError(`kubeconfig ${file}: no context named "${context}"`);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeconfigError(`kubeconfig ${file}: context "${context}" names no known cluster`);
  if (!cluster.server)
    throw new KubeconfigError(`kubeconfig ${file}: cluster "${cluster.name}" has no server`);
  return kc;
}

/** The API server's address, for messages. */
export function serverOf(kc: KubeConfig): string {
  return (kc.getCurrentCluster()?.server ?? '').replace(/\/$/, '');
}
