// The bounded store end to end: scheduled syncs that change nothing fold into one run row, and the settings page
// and the support bundle show the store's size against its limit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { DataVolume } from '../../server/db/space.ts';
import { readTar } from '../../server/sources/tar.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { buildSupportBundle } from '../../server/sync/support-bundle.ts';
import { fleetApp } from '../support/console.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';
import { silentLog } from '../support/log.ts';

const LIMIT = 6 * 1024 * 1024;

describe('bounded store', () => {
  let f: Fleet;
  let volume: DataVolume;
  let sync: SyncService;
  let web: Running;

  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings') });
    volume = new DataVolume(f.dataDir, {
      reserveBytes: 64 * 1024,
      bounds: { historyMs: 30 * 86_400_000, limitBytes: LIMIT },
      log: silentLog,
    });
    sync = createSyncService({ ...f.deps, db: volume.db });
    web = await listen(
      fleetApp(f, {
        sync,
        access: await testAccess(volume.db),
        supportBundle: () =>
          buildSupportBundle({
            db: volume.db,
            cluster: f.cluster,
            nodeName: 'gw',
            config: {},
            hostFacts: () => ({}),
          }),
      }),
    );
  });
  after(async () => {
    await web.close();
    await sync.stop();
    volume.close();
    await f.close();
  });

  test('scheduled syncs that change nothing are recorded as one row with a count', async () => {
    assert.equal((await sync.trigger('startup')).result, 'succeeded');
    for (let i = 0; i < 5; i++) assert.equal((await sync.trigger('schedule')).result, 'succeeded');
    const runs = sync.history.runs({ limit: 10 });
    assert.deepEqual(
      runs.map((r) => [r.trigger, r.repeats]),
      [
        ['schedule', 5],
        ['startup', 1],
      ],
    );
    const b = await new Browser(web.url).login('viewer');
    assert.match(await b.page('/runs'), /data-testid="folded">5 scheduled runs, no change since /);
  });

  test('the settings page and the support bundle show the store size and its limit', async () => {
    const b = await new Browser(web.url).login('admin');
    const html = await b.page('/settings');
    assert.match(html, /data-testid="store-size">The store uses [\d.]+ KB of its 6(\.0)? MB limit\./);
    assert.match(html, /kept 30 days/);
    const res = await b.request('/support/bundle');
    assert.equal(res.status, 200);
    const tar = readTar(gunzipSync(Buffer.from(await res.arrayBuffer())), 'bundle', {
      maxFiles: 1000,
      maxTotalBytes: 64 << 20,
    });
    const store = JSON.parse(tar.files['store.json'] as string) as {
      bytes: number;
      limitBytes: number;
      full: boolean;
      rows: { runs: number; foldedRuns: number };
    };
    assert.equal(store.limitBytes, LIMIT);
    assert.ok(store.bytes > 0 && store.bytes < LIMIT, String(store.bytes));
    assert.equal(store.full, false);
    assert.deepEqual([store.rows.runs, store.rows.foldedRuns], [2, 6]);
  });
});
