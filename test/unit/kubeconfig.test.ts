// Building client-node's KubeConfig: kubeconfig files (inline data, file references, exec plugins) and the pod's
// service account.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type KubeConfig, loadKubeConfig, serverOf } from '../../server/cluster/kubeconfig.ts';

function dir(): string {
  return mkdtempSync(path.join(tmpdir(), 'outpost-kc-'));
}

const KUBECONFIG = (extra: string) => `apiVersion: v1
kind: Config
current-context: edge
contexts:
  - name: other
    context: {cluster: nope, user: nope}
  - name: edge
    context: {cluster: k3s, user: admin}
clusters:
  - name: k3s
    cluster:
      server: https://127.0.0.1:6443/
      certificate-authority-data: ${Buffer.from('CA PEM').toString('base64')}
users:
  - name: admin
    user:
${extra}`;

/** What the library would put on a request: TLS material and the Authorization header. */
async function requestOptions(kc: KubeConfig) {
  const opts: https.RequestOptions & { headers: Record<string, string> } = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  return opts;
}

test('a K3s-style kubeconfig with inline client certificates is read from the current context', async () => {
  const d = dir();
  const file = path.join(d, 'k3s.yaml');
  writeFileSync(
    file,
    KUBECONFIG(
      `      client-certificate-data: ${Buffer.from('CERT').toString('base64')}\n      client-key-data: ${Buffer.from('KEY').toString('base64')}\n`,
    ),
  );
  const kc = await loadKubeConfig({ mode: 'kubeconfig', path: file });
  assert.equal(serverOf(kc), 'https://127.0.0.1:6443');
  const opts = await requestOptions(kc);
  assert.equal(String(opts.ca), 'CA PEM');
  assert.equal(String(opts.cert), 'CERT');
  assert.equal(String(opts.key), 'KEY');
  assert.equal(opts.headers.Authorization, undefined);
});

test('file references in a kubeconfig resolve relative to the kubeconfig', async () => {
  const d = dir();
  writeFileSync(path.join(d, 'ca.pem'), 'CA FROM FILE');
  const file = path.join(d, 'kc.yaml');
  writeFileSync(
    file,
    KUBECONFIG('      token: tok-123\n').replace(
      /certificate-authority-data: .*/,
      'certificate-authority: ca.pem',
    ),
  );
  const opts = await requestOptions(await loadKubeConfig({ mode: 'kubeconfig', path: file }));
  assert.equal(String(opts.ca), 'CA FROM FILE');
  assert.equal(opts.headers.Authorization, 'Bearer tok-123');
});

test('an exec credential plugin is run and its token is sent', async () => {
  const d = dir();
  const plugin = path.join(d, 'plugin.sh');
  writeFileSync(
    plugin,
    `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-tok-'"$OUTPOST_TEST_SUFFIX"'"}}'\n`,
  );
  chmodSync(plugin, 0o755);
  const file = path.join(d, 'kc.yaml');
  writeFileSync(
    file,
    KUBECONFIG(
      `      exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: ${plugin}\n        env: [{name: OUTPOST_TEST_SUFFIX, value: "42"}]\n        interactiveMode: Never\n`,
    ),
  );
  const opts = await requestOptions(await loadKubeConfig({ mode: 'kubeconfig', path: file }));
  assert.equal(opts.headers.Authorization, 'Bearer exec-tok-42');
});

test('a kubeconfig whose context names a missing cluster says which file and context', async () => {
  const d = dir();
  const file = path.join(d, 'kc.yaml');
  writeFileSync(
    file,
    KUBECONFIG('      token: x\n').replace('current-context: edge', 'current-context: other'),
  );
  await assert.rejects(
    loadKubeConfig({ mode: 'kubeconfig', path: file }),
    (err: Error) =>
      err.name === 'KubeconfigError' && err.message.includes(file) && err.message.includes('"other"'),
  );
});

test('a kubeconfig that is not YAML is refused with the file named and the cause kept', async () => {
  const d = dir();
  const file = path.join(d, 'kc.yaml');
  writeFileSync(file, 'clusters: [unclosed\n');
  await assert.rejects(
    loadKubeConfig({ mode: 'kubeconfig', path: file }),
    (err: Error) => err.name === 'KubeconfigError' && err.message.includes(file) && err.cause !== undefined,
  );
});

test('in-cluster configuration uses the service account CA and token file, IPv6 hosts bracketed', async () => {
  const d = dir();
  writeFileSync(path.join(d, 'ca.crt'), 'SA CA');
  writeFileSync(path.join(d, 'token'), 'sa-token');
  const kc = await loadKubeConfig({ mode: 'in-cluster', host: 'fd00::1', port: '443', dir: d });
  assert.equal(serverOf(kc), 'https://[fd00::1]:443');
  const opts = await requestOptions(kc);
  assert.equal(String(opts.ca), 'SA CA');
  assert.equal(opts.headers.Authorization, 'Bearer sa-token');
});

test('in-cluster configuration without a service account token says where it looked', async () => {
  const d = dir();
  writeFileSync(path.join(d, 'ca.crt'), 'SA CA');
  await assert.rejects(
    loadKubeConfig({ mode: 'in-cluster', host: '10.43.0.1', port: '443', dir: d }),
    new RegExp(`no service account token at ${path.join(d, 'token')}`),
  );
});
