// How to reach and authenticate to the API server: from the pod's service account or a kubeconfig file.
// We read these ourselves rather than through @kubernetes/client-node: its import alone costs ~90 MB of
// resident memory on a 2 GB node, and the handful of fields below is all a K3s node uses.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

import { type ClusterTarget, SERVICE_ACCOUNT_DIR } from './kubeconfig.ts';

export class CredentialsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CredentialsError';
  }
}

export interface Credentials {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Skip server certificate checks (only for a kubeconfig that asks for it). */
  insecure: boolean;
  servername?: string;
  /** A fixed token, or a file re-read on use (service account tokens rotate). */
  token?: string;
  tokenFile?: string;
  basic?: { username: string; password: string };
}

function readFrom(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new CredentialsError(`cannot read ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function inCluster(t: { host: string; port: string; dir?: string }): Credentials {
  const dir = t.dir ?? SERVICE_ACCOUNT_DIR;
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return {
    server: `https://${host}:${t.port}`,
    ca: readFrom(path.join(dir, 'ca.crt'), 'service account CA'),
    tokenFile: path.join(dir, 'token'),
    insecure: false,
  };
}

/** kubeconfig lists look like `clusters: [{ name, cluster: {...} }]`: find one entry by name, return its body. */
function pick<T>(list: unknown, name: string, entry: 'cluster' | 'user' | 'context', file: string): T {
  const items = Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
  const found = items.find((e) => e?.name === name);
  if (!found) throw new CredentialsError(`kubeconfig ${file}: no ${entry} named "${name}"`);
  return (found[entry] ?? {}) as T;
}

function fromKubeconfig(file: string): Credentials {
  const dir = path.dirname(file);
  let doc: Record<string, unknown>;
  try {
    doc = (parse(readFrom(file, 'kubeconfig').toString('utf8'), { maxAliasCount: 50 }) ?? {}) as Record<
      string,
      unknown
    >;
  } catch (err) {
    if (err instanceof CredentialsError) throw err;
    throw new CredentialsError(`kubeconfig ${file} is not valid YAML: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const current = doc['current-context'];
  if (typeof current !== 'string' || !current)
    throw new CredentialsError(`kubeconfig ${file}: no current-context`);
  const ctx = pick<{ cluster?: string; user?: string }>(doc.contexts, current, 'context', file);
  if (!ctx.cluster) throw new CredentialsError(`kubeconfig ${file}: context "${current}" names no cluster`);
  const cluster = pick<Record<string, unknown>>(doc.clusters, ctx.cluster, 'cluster', file);
  const user = ctx.user ? pick<Record<string, unknown>>(doc.users, ctx.user, 'user', file) : {};
  const abs = (p: unknown) => path.resolve(dir, String(p));
  const data = (inline: unknown, ref: unknown, what: string): Buffer | undefined => {
    if (typeof inline === 'string') return Buffer.from(inline, 'base64');
    if (typeof ref === 'string') return readFrom(abs(ref), what);
    return undefined;
  };
  if (typeof cluster.server !== 'string')
    throw new CredentialsError(`kubeconfig ${file}: cluster has no server`);
  if (user.exec || user['auth-provider']) {
    throw new CredentialsError(
      `kubeconfig ${file}: exec and auth-provider credentials are not supported; use a token or client certificate`,
    );
  }
  const creds: Credentials = {
    server: cluster.server.replace(/\/$/, ''),
    insecure: cluster['insecure-skip-tls-verify'] === true,
  };
  const ca = data(
    cluster['certificate-authority-data'],
    cluster['certificate-authority'],
    'certificate authority',
  );
  if (ca) creds.ca = ca;
  if (typeof cluster['tls-server-name'] === 'string') creds.servername = cluster['tls-server-name'];
  const cert = data(user['client-certificate-data'], user['client-certificate'], 'client certificate');
  const key = data(user['client-key-data'], user['client-key'], 'client key');
  if (cert) creds.cert = cert;
  if (key) creds.key = key;
  if (typeof user.token === 'string') creds.token = user.token;
  if (typeof user.tokenFile === 'string') creds.tokenFile = abs(user.tokenFile);
  if (typeof user.username === 'string' && typeof user.password === 'string') {
    creds.basic = { username: user.username, password: user.password };
  }
  return creds;
}

export function loadCredentials(target: ClusterTarget): Credentials {
  return target.mode === 'in-cluster' ? inCluster(target) : fromKubeconfig(target.path);
}

const TOKEN_FILE_TTL_MS = 30_000;
const tokenCache = new Map<string, { token: string; readAt: number }>();

/** The Authorization header for one request; a token file is re-read every 30 s so rotated tokens are used. */
export function authorization(c: Credentials, now = Date.now()): string | undefined {
  if (c.tokenFile) {
    let cached = tokenCache.get(c.tokenFile);
    if (!cached || now - cached.readAt > TOKEN_FILE_TTL_MS) {
      cached = { token: readFrom(c.tokenFile, 'token file').toString('utf8').trim(), readAt: now };
      tokenCache.set(c.tokenFile, cached);
    }
    return `Bearer ${cached.token}`;
  }
  if (c.token) return `Bearer ${c.token}`;
  if (c.basic) return `Basic ${Buffer.from(`${c.basic.username}:${c.basic.password}`).toString('base64')}`;
  return undefined;
}
