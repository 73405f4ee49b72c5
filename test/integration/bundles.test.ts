// Signed bundles through the whole pipeline: verified before stored, refused with their own reason while the
// LKG keeps running, unchanged polls cost a 304, and an offline restart re-asserts the LKG from SQLite.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { listRevisions } from '../../server/db/revisions.ts';
import { createSource } from '../../server/sources/index.ts';
import { reconcile } from '../../server/sync/reconciler.ts';
import { readStatus } from '../../server/sync/status.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { type BundleServer, startBundleServer } from '../support/http-bundle-server.ts';
import { type KeyPair, makeKeyPair, minisignSign } from '../support/minisign.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'outpost.js');
const CM = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'settings' };

describe('signed bundles', () => {
  let f: Fleet;
  let server: BundleServer;
  let fleetKey: KeyPair;
  let stranger: KeyPair;
  let n = 0;

  /** Packs files like a publisher (`tar czf … -C dir .`), signs with `key` and the trusted comment, serves it. */
  function publish(files: Record<string, string>, comment: string, key: KeyPair = fleetKey): void {
    const dir = path.join(f.dir, `bundle-src-${++n}`);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    const out = path.join(f.dir, `bundle-${n}.tar.gz`);
    assert.equal(spawnSync('tar', ['czf', out, '-C', dir, '.']).status, 0);
    server.put('site.tar.gz', readFileSync(out));
    server.put('site.tar.gz.minisig', minisignSign(key, out, comment));
  }

  const value = async () => ((await f.cluster.get(CM))?.data as { key?: string } | undefined)?.key;

  /** Each test's own starting point, so any one runs alone: version 5 published, verified and applied. */
  async function appliedV5() {
    publish({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'v5') }, 'version=5');
    const r = await reconcile(f.deps, 'sync-now');
    assert.equal(r.result, 'succeeded', r.message ?? '');
  }

  before(async () => {
    f = await makeFleet({});
    server = await startBundleServer();
    fleetKey = makeKeyPair(f.dir, 'fleet');
    stranger = makeKeyPair(f.dir, 'stranger');
    const url = server.url('site.tar.gz');
    f.deps.source = createSource(
      { kind: 'http', url, path: '.' },
      { trustedKeys: [fleetKey.line], fetchTimeout: 2000 },
    );
  });
  after(async () => {
    await server.close();
    await f.close();
  });

  test('a signed bundle is verified, stored with its version and signer, and applied', async () => {
    publish({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'v5') }, 'version=5');
    const r = await reconcile(f.deps, 'startup');
    assert.equal(r.result, 'succeeded', r.message ?? '');
    const [rev] = listRevisions(f.db);
    assert.equal(rev?.version, '5');
    assert.equal(rev?.signer, fleetKey.id);
    assert.equal(await value(), 'v5');
  });

  test('an unchanged bundle is one 304 and no write', async () => {
    await appliedV5();
    server.requests.length = 0;
    f.sim.stats.reset();
    const r = await reconcile(f.deps, 'schedule');
    assert.equal(r.result, 'succeeded', r.message ?? '');
    assert.deepEqual(
      server.requests.map((q) => `${q.method} ${q.path} ${q.status}`),
      ['GET /site.tar.gz 304'],
    );
    assert.equal(f.sim.stats.writes, 0);
  });

  const refusals: [string, () => void, RegExp][] = [
    [
      'signed by an untrusted key',
      () => publish({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'evil') }, 'version=6', stranger),
      /not trusted/,
    ],
    [
      'older than the highest verified version',
      () => publish({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'old') }, 'version=4'),
      /version 4 is older than version 5/,
    ],
    [
      'past its signed expiry',
      () =>
        publish(
          { 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'late') },
          'version=7 expires=2020-01-01T00:00:00Z',
        ),
      /expired/,
    ],
  ];
  for (const [what, arrange, message] of refusals) {
    test(`a bundle ${what} is refused as VerifyFailed and the LKG keeps running`, async () => {
      await appliedV5();
      const before = readStatus(f.db).applied;
      arrange();
      const r = await reconcile(f.deps, 'schedule');
      assert.equal(r.result, 'failed');
      assert.equal(r.reason, 'VerifyFailed');
      assert.match(r.message ?? '', message);
      assert.deepEqual(readStatus(f.db).applied, before);
      assert.equal(readStatus(f.db).upstream.reachable, true);
      // Refused content is an upstream failure like any other: shown as broken, and backed off from.
      assert.equal(readStatus(f.db).upstream.broken, true);
      assert.ok(readStatus(f.db).upstream.consecutiveFailures > 0);
      assert.equal(await value(), 'v5');
      assert.equal(listRevisions(f.db).length, 1, 'nothing unverified is stored');
    });
  }

  test('a missing signature is refused with its own message', async () => {
    publish({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'x') }, 'version=8');
    server.remove('site.tar.gz.minisig');
    const r = await reconcile(f.deps, 'schedule');
    assert.equal(r.reason, 'VerifyFailed');
    assert.match(r.message ?? '', /signature/i);
  });

  test('a restart while the upstream is down re-asserts the LKG from the store onto a wiped cluster', async () => {
    await appliedV5();
    await f.cluster.delete(CM);
    await server.close();
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      OUTPOST_LOG_LEVEL: 'silent',
      KUBECONFIG: path.join(f.dir, 'kubeconfig.yaml'),
      OUTPOST_DATA_DIR: f.dataDir,
      OUTPOST_SOURCE_KIND: 'http',
      OUTPOST_SOURCE_URL: server.url('site.tar.gz'),
      OUTPOST_TRUSTED_KEYS: fleetKey.line,
      OUTPOST_FETCH_TIMEOUT: '2s',
    };
    const r = await run(process.execPath, [BIN, 'sync', '--once'], { env }).catch(
      (e: { code: number; stdout: string }) => e,
    );
    assert.equal((r as { code?: number }).code, 1);
    assert.match(
      (r as { stdout: string }).stdout,
      /FetchFailed.*re-asserted revision [0-9a-f]{12} from the local store/,
    );
    assert.equal(await value(), 'v5');
    const status = readStatus(f.db);
    assert.equal(status.upstream.reachable, false);
    assert.ok(status.upstream.unreachableSince);
  });
});
