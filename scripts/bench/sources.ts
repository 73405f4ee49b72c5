// Bytes on the wire for a no-change poll of each network source, and the time to fetch a 500-file bundle.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gitSource } from '../../server/sources/git.ts';
import { httpSource } from '../../server/sources/http.ts';
import { sourceOptions } from '../../server/sources/index.ts';
import { ociSource, SIGNATURE_ANNOTATION } from '../../server/sources/oci.ts';
import { writeTarGz } from '../../server/sources/tar.ts';
import { isUnchanged, type Source } from '../../server/sources/types.ts';
import { startGitServer } from '../../test/support/git-server.ts';
import { startBundleServer } from '../../test/support/http-bundle-server.ts';
import { makeKeyPair, minisignSign } from '../../test/support/minisign.ts';
import { pushArtifact, startRegistry } from '../../test/support/registry.ts';

/** A loopback TCP proxy that counts every byte both ways: what a metered uplink would bill. */
async function countingProxy(target: string) {
  const { hostname, port } = new URL(target);
  let bytes = 0;
  const srv = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    client.on('data', (c: Buffer) => {
      bytes += c.length;
    });
    upstream.on('data', (c: Buffer) => {
      bytes += c.length;
    });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(srv.address() as AddressInfo).port}`,
    reset: () => {
      bytes = 0;
    },
    bytes: () => bytes,
    close: () => new Promise<void>((resolve) => srv.close(() => resolve())),
  };
}

/** 500 small manifests under sites/ and base/, like a fleet repo for many sites. */
function fleetFiles(count: number, salt: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    files[`sites/site-${String(i).padStart(3, '0')}/app.yaml`] =
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-${i}\n  namespace: shop\ndata:\n  rev: "${salt}"\n  site: "${i}"\n`;
  }
  return files;
}

async function measure(source: Source): Promise<{ fetchMs: number; token: string | undefined }> {
  const t = performance.now();
  const got = await source.fetch();
  return { fetchMs: performance.now() - t, token: got.token };
}

async function noChange(
  source: Source,
  token: string | undefined,
  proxy: { reset(): void; bytes(): number },
) {
  // Give the previous connections' FIN packets time to pass so they are not counted against this poll.
  await new Promise((r) => setTimeout(r, 50));
  proxy.reset();
  const r = await source.fetch({ token });
  if (!isUnchanged(r)) throw new Error(`${source.kind}: a no-change poll returned a new tree`);
  await new Promise((r) => setTimeout(r, 50));
  return proxy.bytes();
}

const fmt = (bytes: number) => `${bytes} B`;

export const sourcesBench = {
  id: 'sources',
  title: 'Sources: bytes on the wire for a no-change poll, time to fetch a 500-file bundle',
  async run(): Promise<[string, string][]> {
    const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-bench-src-'));
    const keys = makeKeyPair(tmp, 'bench');
    const files = fleetFiles(500, 'one');
    const gz = writeTarGz(files);
    const bundleFile = path.join(tmp, 'site.tar.gz');
    writeFileSync(bundleFile, gz);
    const sig = minisignSign(keys, bundleFile, 'version=1');
    const settings = { trustedKeys: [keys.line], fetchTimeout: 30_000 };
    const rows: [string, string][] = [];

    const git = await startGitServer();
    git.commit(files, 'fleet');
    const gitProxy = await countingProxy(git.url);
    const gitUrl = git.url.replace(new URL(git.url).host, gitProxy.host);
    const gs = gitSource(gitUrl, 'main', sourceOptions({ kind: 'git', url: gitUrl, path: '.' }, settings));
    const g = await measure(gs);
    rows.push(['git: no-change poll (ref check, protocol v2)', fmt(await noChange(gs, g.token, gitProxy))]);

    const http = await startBundleServer();
    http.put('site.tar.gz', gz);
    http.put('site.tar.gz.minisig', sig);
    const httpProxy = await countingProxy(http.base);
    const httpUrl = `http://${httpProxy.host}/site.tar.gz`;
    const hs = httpSource(httpUrl, sourceOptions({ kind: 'http', url: httpUrl, path: '.' }, settings));
    const h = await measure(hs);
    rows.push(['http: no-change poll (conditional GET → 304)', fmt(await noChange(hs, h.token, httpProxy))]);

    const registry = await startRegistry();
    await pushArtifact(registry.base, 'fleet/site', 'prod', gz, { [SIGNATURE_ANNOTATION]: sig });
    const ociProxy = await countingProxy(registry.base);
    const ociUrl = `oci://${ociProxy.host}/fleet/site:prod`;
    const os = ociSource(ociUrl, sourceOptions({ kind: 'oci', url: ociUrl, path: '.' }, settings));
    const o = await measure(os);
    rows.push(['oci: no-change poll (one HEAD of the manifest)', fmt(await noChange(os, o.token, ociProxy))]);

    rows.push([`bundle of 500 files: ${gz.length} bytes compressed`, '']);
    rows.push(['git: first fetch of a 500-file commit (depth 1, in memory)', `${g.fetchMs.toFixed(0)} ms`]);
    rows.push([
      'http: first fetch of the 500-file bundle (download, verify, unpack)',
      `${h.fetchMs.toFixed(0)} ms`,
    ]);
    rows.push([
      'oci: first fetch of the 500-file artifact (manifest, blob, verify, unpack)',
      `${o.fetchMs.toFixed(0)} ms`,
    ]);

    // A change after the first fetch: what a normal "new revision" poll costs.
    git.commit(fleetFiles(500, 'two'), 'next');
    gitProxy.reset();
    const t = performance.now();
    await gs.fetch({ token: g.token });
    rows.push([
      'git: poll that finds a new 500-file commit',
      `${(performance.now() - t).toFixed(0)} ms, ${fmt(gitProxy.bytes())}`,
    ]);

    for (const p of [gitProxy, httpProxy, ociProxy]) await p.close();
    await Promise.all([git.close(), http.close(), registry.close()]);
    rmSync(tmp, { recursive: true, force: true });
    return rows;
  },
};
