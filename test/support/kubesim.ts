// The simulator for a test file: started before its tests and closed after them, with a client for its API.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { type Kubesim, type KubesimOptions, startKubesim } from '../../server/kubesim/index.ts';
import { type SimClient, simClient } from '../../server/kubesim/testing.ts';

/**
 * Starts a simulator before the tests of the enclosing file (or `describe`) and closes it after them;
 * `started` receives it and a client for its URL, for the file's own `sim` and `k`.
 */
export function useKubesim(opts: KubesimOptions, started: (sim: Kubesim, k: SimClient) => void): void {
  let sim: Kubesim | undefined;
  before(async () => {
    sim = await startKubesim(opts);
    started(sim, simClient(sim.url));
  });
  after(() => sim?.close());
}

/** A ConfigMap object (JSON, as the API takes it) named `name` in `ns`. */
export const cm = (name: string, ns = 'default', data: Record<string, string> = { a: '1' }) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data,
});

/** Creates the namespace `name` through `k`; it must answer 201. */
export async function makeNamespace(k: SimClient, name: string): Promise<void> {
  const res = await k.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  assert.equal(res.status, 201);
}
