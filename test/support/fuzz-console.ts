// A console for the fuzz tier's route properties: a fleet, uploads verified against a real minisign key, and an
// operator signed in — so hostile requests reach the upload, CSRF and cookie code they are aimed at.
import { createSource, sourceOptions } from '../../server/sources/index.ts';
import { createSyncService } from '../../server/sync/service.ts';
import { fleetApp } from './console.ts';
import { configMap, makeFleet, NS } from './fleet.ts';
import { Browser, listen, type Running, testAccess } from './http.ts';
import { makeKeyPair } from './minisign.ts';

export interface FuzzConsole {
  web: Running;
  /** Signed in as `operator`, with the CSRF token of its session. */
  operator: Browser;
  close(): Promise<void>;
}

export async function fuzzConsole(): Promise<FuzzConsole> {
  const f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings') });
  const key = makeKeyPair(f.dir, 'site');
  const src = { kind: 'dir' as const, url: f.sourceDir, path: '.' };
  const settings = { trustedKeys: [key.line], dataDir: f.dataDir };
  f.deps.source = createSource(src, settings);
  const sync = createSyncService({
    ...f.deps,
    uploads: { dataDir: f.dataDir, options: sourceOptions(src, settings) },
  });
  const web = await listen(fleetApp(f, { sync, access: await testAccess(f.db) }));
  const operator = await new Browser(web.url).login('operator');
  return {
    web,
    operator,
    async close() {
      await web.close();
      await sync.stop();
      await f.close();
    },
  };
}
