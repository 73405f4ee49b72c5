// A real OCI registry for tests (Debian docker-registry on a free loopback port), plain-HTTP artifact pushes,
// and a small front that demands Basic or Bearer auth the way hosted registries do.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Registry {
  /** http://127.0.0.1:<port> */
  base: string;
  /** host:port, for oci:// URLs */
  host: string;
  close(): Promise<void>;
}

/** A loopback port nothing listens on (taken from the OS, then released): "upstream down" in tests. */
export async function closedPort(): Promise<number> {
  return freePort();
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export async function startRegistry(): Promise<Registry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-registry-'));
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${path.join(dir, 'data')}
http:
  addr: 127.0.0.1:${port}
`,
  );
  const proc: ChildProcess = spawn('docker-registry', ['serve', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await fetch(`${base}/v2/`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      try {
        process.kill(-(proc.pid as number), 'SIGKILL');
      } catch {}
      throw new Error(`docker-registry did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base,
    host: `127.0.0.1:${port}`,
    close: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        process.kill(-(proc.pid as number), 'SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function pushBlob(
  base: string,
  repo: string,
  data: Buffer,
  headers: Record<string, string>,
): Promise<string> {
  const digest = sha256(data);
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location') as string, base);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': 'application/octet-stream' },
    body: new Uint8Array(data),
  });
  if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`);
  return digest;
}

/**
 * Pushes a Flux-style artifact (config `application/vnd.cncf.flux.config.v1+json`, one layer
 * `application/vnd.cncf.flux.content.v1.tar+gzip`) with plain HTTP calls; returns the manifest digest.
 */
export async function pushArtifact(
  base: string,
  repo: string,
  tag: string,
  layer: Buffer,
  annotations: Record<string, string> = {},
  opts: { layerMediaType?: string; headers?: Record<string, string> } = {},
): Promise<string> {
  const headers = opts.headers ?? {};
  const config = Buffer.from('{}');
  const configDigest = await pushBlob(base, repo, config, headers);
  const layerDigest = await pushBlob(base, repo, layer, headers);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.cncf.flux.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: [
        {
          mediaType: opts.layerMediaType ?? 'application/vnd.cncf.flux.content.v1.tar+gzip',
          digest: layerDigest,
          size: layer.length,
        },
      ],
      annotations: { 'org.opencontainers.image.created': '2026-11-01T00:00:00Z', ...annotations },
    }),
  );
  const res = await fetch(`${base}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
    body: new Uint8Array(manifest),
  });
  if (res.status !== 201) throw new Error(`manifest push: ${res.status} ${await res.text()}`);
  return sha256(manifest);
}

export interface AuthFront {
  base: string;
  host: string;
  /** Requests seen, with the path and the Authorization header. */
  requests: { method: string; path: string; authorization?: string }[];
  close(): Promise<void>;
}

/**
 * A front for the registry that logs requests and (unless `none`) answers 401 with a Basic or Bearer challenge,
 * like hosted registries: Bearer hands out a token at /token for the right user and password (or anyone,
 * when `anonymousToken`). With `redirectBlobsTo`, blob downloads are redirected to that origin.
 */
export async function startAuthFront(
  upstream: string,
  mode: 'none' | 'basic' | 'bearer',
  user: { username: string; password: string } = { username: '', password: '' },
  opts: { anonymousToken?: boolean; redirectBlobsTo?: string } = {},
): Promise<AuthFront> {
  const basic = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  const token = `tok-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 24)}`;
  const requests: AuthFront['requests'] = [];
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const entry: AuthFront['requests'][number] = {
      method: req.method ?? '',
      path: url.pathname + url.search,
    };
    if (req.headers.authorization) entry.authorization = req.headers.authorization;
    requests.push(entry);
    if (url.pathname === '/token') {
      if (!opts.anonymousToken && req.headers.authorization !== basic) return res.writeHead(401).end();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ token, expires_in: 300 }));
    }
    const ok =
      mode === 'none' || req.headers.authorization === (mode === 'basic' ? basic : `Bearer ${token}`);
    if (!ok) {
      const { port } = srv.address() as AddressInfo;
      const challenge =
        mode === 'basic'
          ? 'Basic realm="registry"'
          : `Bearer realm="http://127.0.0.1:${port}/token",service="test-registry",scope="repository:fleet/site:pull"`;
      return res.writeHead(401, { 'WWW-Authenticate': challenge }).end();
    }
    if (opts.redirectBlobsTo && req.method === 'GET' && url.pathname.includes('/blobs/')) {
      // As registries that keep blobs on a storage host or CDN do.
      return res.writeHead(307, { Location: `${opts.redirectBlobsTo}${url.pathname}` }).end();
    }
    const fwd = http.request(
      `${upstream}${req.url}`,
      { method: req.method, headers: { ...req.headers, host: new URL(upstream).host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(fwd);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        srv.closeAllConnections();
        srv.close(() => resolve());
      }),
  };
}
