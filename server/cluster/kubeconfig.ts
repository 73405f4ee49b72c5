// Builds @kubernetes/client-node's KubeConfig from Outpost's configuration: the pod's service account or a
// kubeconfig file, with every auth method the library supports (tokens, client certificates, exec plugins, OIDC).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Agent } from 'node:http';
import { isIPv6 } from 'node:net';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { configModule } from './library.ts';

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

/** The library's private parts that build a cluster's connections (config.js). */
interface LibraryConnections {
  createDispatcher(cluster: unknown, options: Record<string, unknown>): Agent;
  createAgent(cluster: unknown, options: Record<string, unknown>): Agent;
  agentCache: Map<string, unknown>;
  getAgentCacheKey(cluster: unknown): string;
}

/** A KubeConfig's connections: the node:http agent its requests go through, and what it was built for. */
const shared = new WeakMap<KubeConfig, { key: string; agent: Agent }>();

/** What makes two requests' connections interchangeable: the server, the proxy and the TLS material. */
function connectionKey(cluster: unknown, options: Record<string, unknown>): string {
  const c = (cluster ?? {}) as { server?: string; proxyUrl?: string };
  const hash = createHash('sha256');
  hash.update(`${c.server}\0${c.proxyUrl ?? ''}\0`);
  for (const name of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername']) {
    const v = options[name];
    hash.update(`${name}=`);
    if (Buffer.isBuffer(v)) hash.update(v);
    else if (v !== undefined) hash.update(String(v));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** An agent whose TLS material is outdated: idle connections close now, busy ones when their request ends. */
function retire(agent: Agent): void {
  (agent as Agent & { keepAlive: boolean }).keepAlive = false;
  for (const sockets of Object.values(agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
}

/**
 * The library builds a new undici Agent (a connection pool) for every request whose cluster has TLS options, and
 * node:http agents that keep no connection alive, so each of a sync's thousands of requests would open its own
 * connection. One agent is kept per KubeConfig instead, built by the library's own code (TLS options, proxies, the
 * refusal of plain HTTP without insecure-skip-tls-verify) with keep-alive, and replaced when the TLS material
 * changes, e.g. an exec plugin handing out a new client certificate. It is what the library's requests carry as
 * their "dispatcher": http.ts sends them through it, and its fetch (watch and log streams) too (undici.ts).
 */
function shareConnections(kc: KubeConfig): void {
  const own = kc as unknown as LibraryConnections;
  own.createDispatcher = (cluster, options) => {
    const key = connectionKey(cluster, options);
    const current = shared.get(kc);
    if (current?.key === key) return current.agent;
    // The library caches one agent per cluster and user name, whatever its TLS material: this one is built afresh.
    own.agentCache.delete(own.getAgentCacheKey(cluster));
    const agent = own.createAgent(cluster, { ...options, keepAlive: true, keepAliveMsecs: 30_000 });
    if (current) retire(current.agent);
    shared.set(kc, { key, agent });
    return agent;
  };
}

/** Closes the KubeConfig's kept-alive connections (shutdown); a later request opens new ones. */
export function closeConnections(kc: KubeConfig): void {
  const c = shared.get(kc);
  if (!c) return;
  c.agent.destroy();
  shared.delete(kc);
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
  // The library's config module loads on first use, not at import:
  // commands that never reach a cluster do not pay for it.
  const { KubeConfig } = await configModule();
  const kc = new KubeConfig();
  shareConnections(kc);
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
