// The target of the attack tests: one fleet and sync service, consoles started on demand, and a fake clock.
import { after, before } from 'node:test';
import type { AccessOptions, AccessService } from '../../server/auth/service.ts';
import { createSyncService, type SyncService } from '../../server/sync/service.ts';
import type { ReachOptions } from '../../server/web/deps.ts';
import { fleetApp } from './console.ts';
import { configMap, type Fleet, makeFleet, NS } from './fleet.ts';
import { listen, type Running, testAccess } from './http.ts';

export const MIN = 60_000;

export interface AttackTarget {
  readonly f: Fleet;
  readonly sync: SyncService;
  /** The fake time the access services made by `fresh` read. */
  now(): number;
  /** Moves the fake clock on by `ms`. */
  advance(ms: number): void;
  /** A console on `access` (no kiosk addresses unless `reach` names some), closed after the tests. */
  serve(access: AccessService, reach?: ReachOptions): Promise<Running>;
  /** A console with its own access service (own throttle and clock) over the shared store. */
  fresh(
    opts?: Partial<AccessOptions>,
    reach?: ReachOptions,
  ): Promise<{ access: AccessService; web: Running }>;
}

/** Sets up the target before the tests of the enclosing `describe` and tears it down after them. */
export function attackTarget(): AttackTarget {
  let f: Fleet | undefined;
  let sync: SyncService | undefined;
  const servers: Running[] = [];
  let clock = Date.parse('2026-11-24T08:00:00Z');
  const now = () => clock;

  before(async () => {
    f = await makeFleet({ 'ns.yaml': NS, 'cm.yaml': configMap('settings') });
    sync = createSyncService(f.deps);
  });
  after(async () => {
    for (const s of servers) await s.close();
    await sync?.stop();
    await f?.close();
  });

  const target: AttackTarget = {
    get f() {
      if (!f) throw new Error('the attack target is set up in a before hook: use it inside tests');
      return f;
    },
    get sync() {
      if (!sync) throw new Error('the attack target is set up in a before hook: use it inside tests');
      return sync;
    },
    now,
    advance(ms) {
      clock += ms;
    },
    async serve(access, reach = {}) {
      const running = await listen(
        fleetApp(target.f, { sync: target.sync, access, reach: { kioskAddresses: [], ...reach } }),
      );
      servers.push(running);
      return running;
    },
    async fresh(opts = {}, reach = {}) {
      const access = await testAccess(target.f.db, { now, ...opts });
      return { access, web: await target.serve(access, reach) };
    },
  };
  return target;
}
