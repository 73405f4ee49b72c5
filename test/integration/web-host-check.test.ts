// The console refuses a request whose Host is not one of its names (DNS rebinding) with 421, before sign-in.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import type { ReachOptions } from '../../server/web/deps.ts';
import { fleetApp } from '../support/console.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';
import { bodyText, listen, type Running, testAccess } from '../support/http.ts';
import { capturedLog } from '../support/log.ts';

/** A GET with exactly the Host header given (fetch would set its own). */
function get(
  url: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers }, async (res) => {
      const body = await bodyText(res);
      resolve({
        status: res.statusCode ?? 0,
        body,
        ...(res.headers.location ? { location: res.headers.location } : {}),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('host check', () => {
  let f: Fleet;
  let sync: SyncService;
  const servers: Running[] = [];
  const { log, lines } = capturedLog();

  async function serve(reach: ReachOptions = {}): Promise<Running> {
    const running = await listen(
      fleetApp(f, { sync, access: await testAccess(f.db), log, nodeName: 'gw-17', reach }),
    );
    servers.push(running);
    return running;
  }

  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings') });
    sync = createSyncService(f.deps);
  });
  after(async () => {
    for (const s of servers) await s.close();
    await sync.stop();
    await f.close();
  });

  test('a request for a foreign name is refused with 421 and a plain message, on every path', async () => {
    const web = await serve();
    for (const path of ['/', '/login', '/healthz', '/kiosk', '/static/app.css']) {
      const res = await get(web.url, path, { host: 'evil.example' });
      assert.equal(res.status, 421, path);
      assert.match(res.body, /does not answer to the name/);
      assert.match(res.body, /OUTPOST_ALLOWED_HOSTS/);
    }
    assert.equal((await get(web.url, '/healthz', { host: 'evil.example:8080' })).status, 421);
    assert.equal((await get(web.url, '/healthz', { host: 'gw-17.evil.example' })).status, 421);
    // Logged once for the engineer, not once per request.
    assert.equal(lines.filter((l) => l.includes('"host":"evil.example"')).length, 1);
  });

  test('IP literals, localhost and the node names are served', async () => {
    const web = await serve();
    const port = new URL(web.url).port;
    for (const host of [
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      'localhost',
      `localhost:${port}`,
      'gw-17',
      'gw-17.local',
    ]) {
      assert.equal((await get(web.url, '/healthz', { host })).status, 200, host);
      const page = await get(web.url, '/runs', { host });
      assert.equal(page.status, 303, host);
      assert.match(page.location ?? '', /^\/login/);
    }
  });

  test('names from OUTPOST_ALLOWED_HOSTS are served, any case', async () => {
    const web = await serve({ allowedHosts: ['console.plant.example'] });
    assert.equal((await get(web.url, '/healthz', { host: 'Console.Plant.Example:8443' })).status, 200);
    assert.equal((await get(web.url, '/healthz', { host: 'other.plant.example' })).status, 421);
  });

  test('a trusted proxy forwarding a foreign X-Forwarded-Host is refused; an untrusted one is not believed', async () => {
    const trusted = await serve({ trustedProxies: ['127.0.0.1'] });
    assert.equal(
      (await get(trusted.url, '/healthz', { host: '127.0.0.1', 'x-forwarded-host': 'evil.example' })).status,
      421,
    );
    assert.equal(
      (await get(trusted.url, '/healthz', { host: '127.0.0.1', 'x-forwarded-host': 'gw-17' })).status,
      200,
    );
    const direct = await serve();
    assert.equal(
      (await get(direct.url, '/healthz', { host: '127.0.0.1', 'x-forwarded-host': 'evil.example' })).status,
      200,
    );
  });

  test('under a base path (the support tunnel) the check is the same and the prefix still works', async () => {
    const web = await serve({ basePath: '/support/gw-17' });
    const port = new URL(web.url).port;
    assert.equal((await get(web.url, '/support/gw-17/healthz', { host: `127.0.0.1:${port}` })).status, 200);
    const login = await get(web.url, '/support/gw-17/login', { host: `localhost:${port}` });
    assert.equal(login.status, 200);
    assert.equal((await get(web.url, '/support/gw-17/login', { host: 'evil.example' })).status, 421);
  });
});
