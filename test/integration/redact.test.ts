// Secret values never reach a viewer: two synced revisions differing in a Secret's data and stringData and in an
// env value — the diff page, the rollback confirmation, the run page, the support bundle and `outpost diff
// --json` say which keys changed, and none of them holds a value (searched as bytes, plain and base64).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { AccessService } from '../../server/auth/service.ts';
import { listRevisions } from '../../server/db/revisions.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import { buildSupportBundle } from '../../server/sync/support-bundle.ts';
import { fleetApp } from '../support/console.ts';
import { type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { Browser, listen, type Running, testAccess } from '../support/http.ts';

const exec = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'outpost.js');
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A revision's Secret (data and stringData) and a Deployment with a literal env value, all from `n`. */
function tree(n: number): Record<string, string> {
  return {
    'ns.yaml': NS,
    'secret.yaml': `apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
data:
  password: ${b64(`pw-value-${n}-Xq`)}
stringData:
  token: tok-value-${n}-Zr
`,
    'web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: main
          image: registry.example.com/web:1
          env:
            - {name: DB_PASS, value: env-value-${n}-Kp}
`,
  };
}

const VALUES = (n: number) => [`pw-value-${n}-Xq`, `tok-value-${n}-Zr`, `env-value-${n}-Kp`];

/** Fails naming the value and where when any value of revisions `ns` is in `bytes`, plain or base64. */
function assertNoValues(bytes: string | Buffer, where: string, ns: number[]) {
  const hay = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  for (const n of ns)
    for (const v of VALUES(n))
      for (const form of [v, b64(v)]) assert.equal(hay.includes(form), false, `${where} shows ${form}`);
}

describe('secret values in diffs', () => {
  let f: Fleet;
  let sync: SyncService;
  let access: AccessService;
  let web: Running;
  let viewer: Browser;
  let ids: { from: number; to: number; run: number };

  before(async () => {
    f = await makeFleet(tree(1));
    sync = createSyncService(f.deps);
    access = await testAccess(f.db);
    web = await listen(fleetApp(f, { sync, access }));
    assert.equal((await sync.trigger('startup')).result, 'succeeded');
    f.write(tree(2));
    const run = await sync.trigger('sync-now', 'test');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    const [to, from] = listRevisions(f.db, 2);
    assert.ok(to && from);
    ids = { from: from.id, to: to.id, run: run.id };
    viewer = await new Browser(web.url).login('viewer');
  });
  after(async () => {
    await web.close();
    await sync.stop();
    await f.close();
  });

  test('the diff page names the changed Secret keys and env variable, with no value', async () => {
    const html = await viewer.page(`/revisions/diff?from=${ids.from}&to=${ids.to}`);
    assertNoValues(html, 'the diff page', [1, 2]);
    assert.match(
      html,
      /data\.password<\/code><\/td><td colspan="2"><span class="muted">changed \(secret value, not shown\)/,
    );
    assert.match(html, /stringData\.token/);
    assert.match(html, /env\[DB_PASS\]\.value/);
    assert.match(html, /data-testid="diff-hidden-note"/);
  });

  test('the rollback confirmation shows what changes without a value', async () => {
    const html = await viewer.page(`/revisions/${ids.from}/rollback`);
    assertNoValues(html, 'the rollback confirmation', [1, 2]);
    assert.match(html, /data\.password/);
  });

  test('the run page shows the changed objects without a value', async () => {
    const html = await viewer.page(`/runs/${ids.run}`);
    assertNoValues(html, 'the run page', [1, 2]);
    assert.match(html, /Secret shop\/db/);
  });

  test('the support bundle’s diffs/ (and every other file) hold no value', async () => {
    const gz = await buildSupportBundle({
      db: f.db,
      cluster: f.cluster,
      nodeName: 'gw',
      config: { vars: { values: { SITE_PASS: 'var-value-1-Wm' } } },
      hostFacts: () => ({}),
    });
    const tar = gunzipSync(gz);
    assertNoValues(tar, 'the support bundle', [1, 2]);
    assert.equal(tar.includes('var-value-1-Wm'), false, 'the bundle shows a variable value');
    assert.match(tar.toString('latin1'), /~ data\.password: changed \(value hidden\)/);
  });

  test('outpost diff --json names the changed Secret key and holds no value', async () => {
    f.write(tree(3));
    const { stdout } = await exec(process.execPath, [BIN, 'diff', '--json'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        OUTPOST_LOG_LEVEL: 'silent',
        KUBECONFIG: path.join(f.dir, 'kubeconfig.yaml'),
        OUTPOST_DATA_DIR: path.join(f.dir, 'cli-data'),
        OUTPOST_SOURCE_KIND: 'dir',
        OUTPOST_SOURCE_URL: f.sourceDir,
      },
      timeout: 30_000,
    });
    assertNoValues(stdout, 'outpost diff --json', [1, 2, 3]);
    const changes = JSON.parse(stdout) as { ref: string; action: string; fields: string[] }[];
    const s = changes.find((c) => c.ref === 'v1 Secret shop/db');
    assert.equal(s?.action, 'configured');
    assert.ok(s?.fields.some((p) => p.startsWith('data')));
  });
});
