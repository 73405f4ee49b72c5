// The cluster client on @kubernetes/client-node: LISTs against the simulator (pages of LIST_PAGE objects, an
// expired continue token), the verbs and their typed errors, pod logs, how it authenticates (an exec plugin,
// the pod's service account over TLS), and the fetch its watch and log streams go through.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  Agent as HttpAgent,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { MANAGED_BY } from '../../server/apply/labels.ts';
import { readPresence } from '../../server/apply/live.ts';
import { ClusterError, LIST_PAGE, openCluster } from '../../server/cluster/client.ts';
import { fetchOnAgent } from '../../server/cluster/http.ts';
import type { ClusterClient } from '../../server/cluster/types.ts';
import { type Kubesim, startKubesim } from '../../server/kubesim/index.ts';
import { selfSignedCert } from '../support/tls.ts';

const COUNT = 2 * LIST_PAGE + 17;

/**
 * A kubeconfig for a plain-HTTP API server on loopback `port`, its user's credentials given as YAML flow, and the
 * cluster's proxy-url when one is given.
 */
function writeKubeconfig(file: string, port: number, user: string, proxyUrl?: string): void {
  const proxy = proxyUrl ? `, proxy-url: "${proxyUrl}"` : '';
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true${proxy}}}]
users: [{name: u, user: ${user}}]
`,
  );
}

describe('cluster client lists', () => {
  let dir: string;
  let sim: Kubesim;
  let cluster: ClusterClient;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'outpost-client-'));
    const kubeconfigPath = path.join(dir, 'kubeconfig.yaml');
    sim = await startKubesim({ kubeconfigPath });
    cluster = await openCluster({ mode: 'kubeconfig', path: kubeconfigPath });
    const manager = { fieldManager: 'test' };
    await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pages' } }, manager);
    for (let i = 0; i < COUNT; i++)
      await cluster.apply(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `cm-${i}`, namespace: 'pages', labels: { set: 'paged' } },
          data: { i: `${i}` },
        },
        manager,
      );
  });
  after(async () => {
    cluster.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const names = (items: { metadata: { name: string } }[]) => new Set(items.map((o) => o.metadata.name));

  test('a large list comes in pages and arrives whole, each item with its apiVersion and kind', async () => {
    sim.stats.reset();
    const items = await cluster.list('v1', 'ConfigMap', { namespace: 'pages', labelSelector: 'set=paged' });
    assert.equal(items.length, COUNT);
    assert.equal(names(items).size, COUNT);
    assert.ok(items.every((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap'));
    assert.equal(sim.stats.requests, Math.ceil(COUNT / LIST_PAGE));
  });

  test('names come from a Table list, page by page, without the objects', async () => {
    sim.stats.reset();
    const got = await cluster.names('v1', 'ConfigMap', { namespace: 'pages', labelSelector: 'set=paged' });
    assert.equal(got.length, COUNT);
    assert.deepEqual(
      new Set(got),
      names(await cluster.list('v1', 'ConfigMap', { namespace: 'pages', labelSelector: 'set=paged' })),
    );
    assert.equal(sim.stats.requests, 2 * Math.ceil(COUNT / LIST_PAGE));
  });

  test('presence: what the managed list shows, what only a GET finds, and what is gone', async () => {
    const manager = { fieldManager: 'test' };
    const mine = { [MANAGED_BY]: 'outpost' };
    await cluster.apply(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ours', namespace: 'pages', labels: mine } },
      manager,
    );
    await cluster.apply(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'key', namespace: 'pages', labels: mine } },
      manager,
    );
    const ref = (kind: string, name: string) => ({ apiVersion: 'v1', kind, namespace: 'pages', name });
    const refs = [
      ref('ConfigMap', 'ours'),
      ref('ConfigMap', 'cm-3'),
      ref('ConfigMap', 'gone'),
      ref('Secret', 'key'),
    ];
    const present = await readPresence(cluster, refs);
    assert.deepEqual([...present].sort(), [
      'v1 ConfigMap pages/cm-3',
      'v1 ConfigMap pages/ours',
      'v1 Secret pages/key',
    ]);
  });

  test('an expired continue token (410) starts the list again instead of losing or doubling objects', async () => {
    sim.faults.inject({
      status: 410,
      pathIncludes: 'continue=',
      times: 1,
      message: 'continue token expired',
    });
    sim.stats.reset();
    const items = await cluster.list('v1', 'ConfigMap', { namespace: 'pages', labelSelector: 'set=paged' });
    assert.equal(items.length, COUNT);
    assert.equal(names(items).size, COUNT);
    assert.equal(sim.stats.requests, 1 + 1 + Math.ceil(COUNT / LIST_PAGE), 'page 1, the 410, then all pages');
  });

  test('a token that keeps expiring fails with the list named, after two fresh starts', async () => {
    const id = sim.faults.inject({
      status: 410,
      pathIncludes: 'continue=',
      message: 'continue token expired',
    });
    try {
      await assert.rejects(
        cluster.list('v1', 'ConfigMap', { namespace: 'pages', labelSelector: 'set=paged' }),
        /list v1 ConfigMap: .*expired/,
      );
    } finally {
      sim.faults.clear(id);
    }
  });
});

describe('cluster client verbs', () => {
  let dir: string;
  let sim: Kubesim;
  let cluster: ClusterClient;
  const manager = { fieldManager: 'test' };
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'verbs', name });
  /** A one-container pod in `verbs`; the simulator fails to pull images named `*:broken*`. */
  const applyPod = (name: string, image: string) =>
    cluster.apply(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'verbs' },
        spec: { containers: [{ name: 'main', image }] },
      },
      manager,
    );

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'outpost-verbs-'));
    const kubeconfigPath = path.join(dir, 'kubeconfig.yaml');
    sim = await startKubesim({ kubeconfigPath });
    cluster = await openCluster({ mode: 'kubeconfig', path: kubeconfigPath });
    await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'verbs' } }, manager);
  });
  after(async () => {
    cluster.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('ping answers, a missing object reads as null and deletes as false', async () => {
    await cluster.ping();
    assert.equal(await cluster.get(cm('nope')), null);
    assert.equal(await cluster.delete(cm('nope')), false);
  });

  test('a dry-run apply writes nothing; a real one does, as plain JSON (timestamps stay strings)', async () => {
    const obj = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'verbs' },
      data: { k: 'v' },
    };
    sim.stats.reset();
    const preview = await cluster.apply(obj, { ...manager, dryRun: true });
    assert.equal(preview.metadata.name, 'a');
    assert.equal(sim.stats.writes, 0);
    assert.equal(await cluster.get(cm('a')), null);
    const applied = await cluster.apply(obj, manager);
    assert.equal(typeof applied.metadata.creationTimestamp, 'string');
    assert.equal(Object.getPrototypeOf(applied), Object.prototype);
    assert.deepEqual((await cluster.get(cm('a')))?.data, { k: 'v' });
    assert.equal(await cluster.delete(cm('a')), true);
  });

  test('a refused apply is a ClusterError with the status, the object named and the library error as cause', async () => {
    // A Deployment without a selector: the API server refuses it as Invalid.
    const bad = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'b', namespace: 'verbs' },
      spec: {},
    };
    await assert.rejects(cluster.apply(bad, manager), (err: unknown) => {
      assert.ok(err instanceof ClusterError);
      assert.equal(err.status, 422);
      assert.match(err.message, /^apps\/v1 Deployment verbs\/b: /);
      assert.equal((err.cause as { code?: number }).code, 422);
      return true;
    });
  });

  test('an unknown kind is a 404 ClusterError naming it', async () => {
    await assert.rejects(cluster.resource('example.com/v1', 'Gadget'), (err: unknown) => {
      assert.ok(err instanceof ClusterError);
      assert.equal(err.status, 404);
      assert.match(err.message, /does not know kind Gadget in example.com\/v1/);
      return true;
    });
  });

  test('one 503 is asked again before anyone sees it', async () => {
    sim.faults.inject({ status: 503, method: 'GET', pathIncludes: 'configmaps/c', times: 1 });
    assert.equal(await cluster.get(cm('c')), null);
  });

  test('a pod log arrives as a stream', async () => {
    await applyPod('p', 'registry.example.com/app:1');
    // While the container waits to start, the API server answers 400 (the library keeps no message for it).
    const pod = { apiVersion: 'v1', kind: 'Pod', namespace: 'verbs', name: 'p' };
    for (let i = 0; i < 200; i++) {
      const status = (await cluster.get(pod))?.status as { phase?: string } | undefined;
      if (status?.phase === 'Running') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const stream = await cluster.logs({ namespace: 'verbs', name: 'p' }, { tailLines: 5 });
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    assert.ok(text.length > 0);
  });

  test('a refused pod log says why (the library keeps only the status)', async () => {
    await applyPod('unpullable', 'registry.example.com/app:broken-1');
    await assert.rejects(cluster.logs({ namespace: 'verbs', name: 'unpullable' }), (err: Error) => {
      assert.ok(err instanceof ClusterError && err.status === 400, String(err));
      assert.match(
        err.message,
        /^log of pod verbs\/unpullable: container "main" in pod "unpullable" is waiting to start/,
      );
      return true;
    });
  });
});

describe('cluster client authentication', () => {
  let dir: string;
  const seen: string[] = [];
  /** /version, and a pod's log (what the library fetches as a stream rather than requests). */
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    seen.push(String(req.headers.authorization));
    if (String(req.url).startsWith('/api/v1/namespaces/a/pods/p/log?container=c')) {
      res.setHeader('content-type', 'text/plain');
      res.write('line one\n');
      setTimeout(() => res.end('line two\n'), 20);
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ major: '1', minor: '31', gitVersion: 'v1.31.0' }));
  };
  const readLog = async (cluster: ClusterClient) => {
    let text = '';
    for await (const chunk of await cluster.logs({ namespace: 'a', name: 'p' }, { container: 'c' }))
      text += chunk;
    return text;
  };
  const listen = async (server: Server) => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return (server.address() as AddressInfo).port;
  };
  /** One ping and one log read through a kubeconfig, what the server saw recorded in `seen`; then the servers close. */
  const pingOnce = async (kubeconfig: string, ...servers: { close(): unknown }[]) => {
    seen.length = 0;
    try {
      const cluster = await openCluster({ mode: 'kubeconfig', path: kubeconfig });
      await cluster.ping();
      assert.equal(await readLog(cluster), 'line one\nline two\n');
      cluster.close();
    } finally {
      for (const server of servers) server.close();
    }
  };
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'outpost-auth-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('an exec credential plugin is run and its token sent', async () => {
    const server = createHttpServer(answer);
    const port = await listen(server);
    const plugin = path.join(dir, 'plugin.sh');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin"}}'\n`,
    );
    chmodSync(plugin, 0o755);
    const kubeconfig = path.join(dir, 'exec.yaml');
    writeKubeconfig(
      kubeconfig,
      port,
      `{exec: {apiVersion: client.authentication.k8s.io/v1, command: "${plugin}", interactiveMode: Never}}`,
    );
    const cluster = await openCluster({ mode: 'kubeconfig', path: kubeconfig });
    seen.length = 0;
    await cluster.ping();
    cluster.close();
    server.close();
    assert.deepEqual(seen, ['Bearer from-plugin']);
  });

  test('a kubeconfig token-file is read, and the newline an editor leaves at its end is not sent', async () => {
    const server = createHttpServer(answer);
    const port = await listen(server);
    writeFileSync(path.join(dir, 'token'), 'from-file\n');
    const kubeconfig = path.join(dir, 'token-file.yaml');
    writeKubeconfig(kubeconfig, port, `{token-file: "${path.join(dir, 'token')}"}`);
    await pingOnce(kubeconfig, server);
    assert.deepEqual(seen, ['Bearer from-file', 'Bearer from-file']);
  });

  test('a client certificate is presented over TLS, and requests and log streams share one kept-alive connection', async () => {
    const tls = path.join(dir, 'mtls');
    rmSync(tls, { recursive: true, force: true });
    mkdirSync(tls);
    const server = selfSignedCert(tls, {
      cn: '127.0.0.1',
      days: 1,
      altNames: 'IP:127.0.0.1',
      keyFile: 's.key',
      certFile: 's.crt',
    });
    const client = selfSignedCert(tls, { cn: 'outpost-node', days: 1, keyFile: 'c.key', certFile: 'c.crt' });
    const peers: string[] = [];
    let connections = 0;
    const https = createHttpsServer(
      {
        key: readFileSync(server.key),
        cert: readFileSync(server.cert),
        ca: readFileSync(client.cert),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        peers.push(String((req.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN));
        answer(req, res);
      },
    );
    https.on('secureConnection', () => connections++);
    const port = await listen(https);
    const kubeconfig = path.join(tls, 'kubeconfig.yaml');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://127.0.0.1:${port}", certificate-authority: s.crt}}]
users: [{name: u, user: {client-certificate: c.crt, client-key: c.key}}]
`,
    );
    try {
      const cluster = await openCluster({ mode: 'kubeconfig', path: kubeconfig });
      for (let i = 0; i < 5; i++) await cluster.ping();
      assert.equal(await readLog(cluster), 'line one\nline two\n');
      await cluster.ping();
      cluster.close();
    } finally {
      https.close();
    }
    assert.deepEqual(peers, Array(7).fill('outpost-node'));
    assert.equal(connections, 1);
  });

  test('a cluster with an HTTP proxy-url is reached through that proxy', async () => {
    const server = createHttpServer(answer);
    const port = await listen(server);
    // A tunnelling proxy, as the library's proxy agents use one: CONNECT host:port, then the bytes both ways.
    const proxied: string[] = [];
    const proxy = createHttpServer();
    proxy.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
      proxied.push(`${req.method} ${req.url}`);
      const [host = '', target = ''] = String(req.url).split(':');
      const upstream = connect(Number(target), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    const proxyPort = await listen(proxy);
    const kubeconfig = path.join(dir, 'proxy.yaml');
    writeKubeconfig(kubeconfig, port, '{token: via-proxy}', `http://127.0.0.1:${proxyPort}`);
    await pingOnce(kubeconfig, server, proxy);
    assert.deepEqual(proxied, [`CONNECT 127.0.0.1:${port}`]);
    assert.deepEqual(seen, ['Bearer via-proxy', 'Bearer via-proxy']);
  });

  test('a cluster with a SOCKS proxy-url is reached through that proxy', async () => {
    const server = createHttpServer(answer);
    const port = await listen(server);
    // SOCKS5 without authentication: the greeting, one CONNECT (IPv4 or a name), then the bytes both ways.
    const tunnelled: string[] = [];
    const proxy = createNetServer((client) => {
      client.once('data', () => {
        client.write(Buffer.from([5, 0]));
        client.once('data', (req: Buffer) => {
          const name = req[3] === 3;
          const host = name ? req.subarray(5, 5 + (req[4] ?? 0)).toString() : req.subarray(4, 8).join('.');
          const target = req.readUInt16BE(name ? 5 + (req[4] ?? 0) : 8);
          tunnelled.push(`${host}:${target}`);
          const upstream = connect(target, host, () => {
            client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
            upstream.pipe(client);
            client.pipe(upstream);
          });
          upstream.on('error', () => client.destroy());
        });
      });
      client.on('error', () => {});
    });
    const proxyPort = await listen(proxy as unknown as Server);
    const kubeconfig = path.join(dir, 'socks.yaml');
    writeKubeconfig(kubeconfig, port, '{token: via-socks}', `socks5://127.0.0.1:${proxyPort}`);
    await pingOnce(kubeconfig, server, proxy);
    assert.deepEqual(tunnelled, [`127.0.0.1:${port}`]);
    assert.deepEqual(seen, ['Bearer via-socks', 'Bearer via-socks']);
  });

  test('in a pod: the service account token is sent over TLS checked against the service account CA', async () => {
    const sa = path.join(dir, 'sa');
    rmSync(sa, { recursive: true, force: true });
    mkdirSync(sa);
    const { key, cert } = selfSignedCert(sa, {
      cn: '127.0.0.1',
      days: 1,
      altNames: 'IP:127.0.0.1',
      certFile: 'ca.crt',
    });
    writeFileSync(path.join(sa, 'token'), 'sa-token');
    const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, answer);
    const port = await listen(server);
    const cluster = await openCluster({ mode: 'in-cluster', host: '127.0.0.1', port: String(port), dir: sa });
    seen.length = 0;
    await cluster.ping();
    cluster.close();
    server.close();
    assert.deepEqual(seen, ['Bearer sa-token']);
  });
});

test('an error answer to the library’s fetch is read at once, bounded, and its connection serves the next request', {
  timeout: 10_000,
}, async () => {
  let connections = 0;
  const server = createHttpServer((req, res) => {
    if (req.url === '/refused') {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', message: 'x'.repeat(200_000) }));
    } else res.end('ok');
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new HttpAgent({ keepAlive: true });
  try {
    const freed = once(agent, 'free');
    const refused = await fetchOnAgent(`${base}/refused`, { dispatcher: agent });
    assert.equal(refused.status, 403);
    // Nobody reads the body (the library's Watch does not), and the connection still goes back to the pool.
    await freed;
    const next = await fetchOnAgent(`${base}/ok`, { dispatcher: agent });
    assert.equal(await next.text(), 'ok');
    assert.equal(connections, 1);
    assert.equal((await refused.text()).length, 64 * 1024);
  } finally {
    agent.destroy();
    server.close();
  }
});
