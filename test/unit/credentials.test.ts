// Reading cluster credentials: kubeconfig files (inline and file references) and the pod's service account.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { authorization, loadCredentials } from '../../server/cluster/credentials.ts';

function dir(): string {
  return mkdtempSync(path.join(tmpdir(), 'outpost-creds-'));
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

test('a K3s-style kubeconfig with inline client certificates is read from the current context', () => {
  const d = dir();
  const file = path.join(d, 'k3s.yaml');
  writeFileSync(
    file,
    KUBECONFIG(
      `      client-certificate-data: ${Buffer.from('CERT').toString('base64')}\n      client-key-data: ${Buffer.from('KEY').toString('base64')}\n`,
    ),
  );
  const c = loadCredentials({ mode: 'kubeconfig', path: file });
  assert.equal(c.server, 'https://127.0.0.1:6443');
  assert.equal(c.ca?.toString(), 'CA PEM');
  assert.equal(c.cert?.toString(), 'CERT');
  assert.equal(c.key?.toString(), 'KEY');
  assert.equal(c.insecure, false);
  assert.equal(authorization(c), undefined);
});

test('file references in a kubeconfig resolve relative to the kubeconfig', () => {
  const d = dir();
  writeFileSync(path.join(d, 'token'), 'tok-123\n');
  const file = path.join(d, 'kc.yaml');
  writeFileSync(file, KUBECONFIG('      tokenFile: token\n'));
  assert.equal(authorization(loadCredentials({ mode: 'kubeconfig', path: file })), 'Bearer tok-123');
});

test('exec credential plugins are refused with a clear message', () => {
  const d = dir();
  const file = path.join(d, 'kc.yaml');
  writeFileSync(file, KUBECONFIG('      exec: {command: aws}\n'));
  assert.throws(
    () => loadCredentials({ mode: 'kubeconfig', path: file }),
    /exec and auth-provider credentials are not supported/,
  );
});

test('a kubeconfig whose context names a missing cluster says which', () => {
  const d = dir();
  const file = path.join(d, 'kc.yaml');
  writeFileSync(
    file,
    KUBECONFIG('      token: x\n').replace('current-context: edge', 'current-context: other'),
  );
  assert.throws(() => loadCredentials({ mode: 'kubeconfig', path: file }), /no cluster named "nope"/);
});

test('in-cluster credentials use the service account CA and token file', () => {
  const d = dir();
  writeFileSync(path.join(d, 'ca.crt'), 'SA CA');
  writeFileSync(path.join(d, 'token'), 'sa-token');
  const c = loadCredentials({ mode: 'in-cluster', host: '10.43.0.1', port: '443', dir: d });
  assert.equal(c.server, 'https://10.43.0.1:443');
  assert.equal(c.ca?.toString(), 'SA CA');
  assert.equal(authorization(c, 1), 'Bearer sa-token');
});

test('a rotated service account token is picked up after the cache interval', () => {
  const d = dir();
  writeFileSync(path.join(d, 'ca.crt'), 'SA CA');
  writeFileSync(path.join(d, 'token'), 'first');
  const c = loadCredentials({ mode: 'in-cluster', host: 'fd00::1', port: '443', dir: d });
  assert.equal(c.server, 'https://[fd00::1]:443');
  assert.equal(authorization(c, 1_000), 'Bearer first');
  writeFileSync(path.join(d, 'token'), 'second');
  assert.equal(authorization(c, 2_000), 'Bearer first');
  assert.equal(authorization(c, 40_000), 'Bearer second');
});
