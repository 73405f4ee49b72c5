// The upstream over simulated hours against a real loopback HTTP server: backoff after every failure (500, HTML,
// a truncated bundle), "upstream broken" distinct from "unreachable", a full fetch that finds content changed
// under an unchanged ETag, and the last-known-good re-asserted on its own schedule while the upstream backs off.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Registry } from '../../server/metrics.ts';
import { httpSource } from '../../server/sources/http.ts';
import { sourceOptions } from '../../server/sources/index.ts';
import { createSyncMetrics } from '../../server/sync/metrics.ts';
import { SyncQueue } from '../../server/sync/queue.ts';
import { reconcile } from '../../server/sync/reconciler.ts';
import { type Clock, type Schedule, startSchedule } from '../../server/sync/schedule.ts';
import { lkgRevision, pollRecord, upstreamState } from '../../server/sync/state-keys.ts';
import { readStatus } from '../../server/sync/status.ts';
import { configMap, type Fleet, makeFleet, NS } from '../support/fleet.ts';

const MINUTE = 60_000;
const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-upstream-'));
let packed = 0;

/** A .tar.gz as a publisher makes it (`tar czf b.tar.gz -C dir .`). */
function pack(files: Record<string, string>): Buffer {
  const dir = path.join(tmp, `src-${++packed}`);
  for (const [f, c] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), c);
  }
  const out = path.join(tmp, `bundle-${packed}.tar.gz`);
  const r = spawnSync('tar', ['czf', out, '-C', dir, '.'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out);
}

type Mode = 'ok' | '500' | 'html' | 'truncated' | 'down';

/** Serves one bundle under a fixed ETag (a server that does not change it when the content changes). */
async function startUpstream() {
  const state = { mode: 'ok' as Mode, body: Buffer.alloc(0) as Buffer, etag: '"v1"', gets: 0, heads: 0 };
  const srv = http.createServer((req, res) => {
    if (req.url?.endsWith('.minisig')) return void res.writeHead(404).end();
    if (req.method === 'HEAD') state.heads++;
    else state.gets++;
    switch (state.mode) {
      case 'down':
        req.socket.destroy();
        return;
      case '500':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html', etag: '"login"' }).end('<html>sign in</html>');
        return;
      case 'truncated':
        res.writeHead(200, { 'content-length': state.body.length, etag: state.etag });
        res.end(state.body.subarray(0, state.body.length >> 1));
        req.socket.destroySoon();
        return;
      case 'ok':
        if (req.headers['if-none-match'] === state.etag) return void res.writeHead(304).end();
        res.writeHead(200, { 'content-type': 'application/gzip', etag: state.etag });
        res.end(req.method === 'HEAD' ? undefined : state.body);
    }
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/site.tar.gz`;
  return {
    state,
    url,
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

/** Simulated time: timers run in order as the test advances it, each followed by whatever it started. */
class SimClock implements Clock {
  t = Date.parse('2026-06-01T00:00:00Z');
  timers: { at: number; fn: () => void }[] = [];
  now = () => this.t;
  setTimeout(fn: () => void, ms: number) {
    const h = { at: this.t + ms, fn };
    this.timers.push(h);
    return h;
  }
  clearTimeout(h: unknown) {
    this.timers = this.timers.filter((x) => x !== h);
  }
  async advanceTo(end: number, settle: () => Promise<void>) {
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.clearTimeout(due);
      this.t = due.at;
      due.fn();
      await settle();
    }
    this.t = end;
  }
}

const GOOD = { 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'v1') };

describe('the upstream over simulated hours', () => {
  let f: Fleet;
  let up: Awaited<ReturnType<typeof startUpstream>>;
  before(async () => {
    f = await makeFleet({});
    up = await startUpstream();
  });
  after(async () => {
    await up.close();
    await f.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** A scheduled node on `*\/5 * * * *` whose ticks and timers run on `clock`; `minutes` of it pass. */
  const registry = new Registry();
  const metrics = createSyncMetrics(registry);

  async function runScheduled(clock: SimClock, minutes: number, each?: (minute: number) => Promise<void>) {
    const source = httpSource(
      up.url,
      sourceOptions({ kind: 'http', url: up.url, path: '.' }, { requireSignature: false }),
    );
    const deps = { ...f.deps, source, metrics, now: () => new Date(clock.now()) };
    const queue = new SyncQueue((trigger, actor, opts) => reconcile(deps, trigger, actor, opts));
    let tick = () => {};
    const schedule: Schedule = startSchedule(
      {
        expression: '*/5 * * * *',
        nodeName: 'gw-7',
        upstream: () => {
          const u = readStatus(f.db).upstream;
          return { failures: u.consecutiveFailures, unreachable: u.reachable === false };
        },
        probe: () => source.probe(),
        reassert: true,
        onError: (err) => assert.fail(String(err)),
        clock,
        ticker: (fn) => {
          tick = fn;
          return { stop() {}, next: () => null };
        },
      },
      queue,
    );
    const settle = async () => {
      await schedule.settled();
      await queue.idle();
    };
    const start = clock.now();
    try {
      for (let m = 5; m <= minutes; m += 5) {
        await clock.advanceTo(start + m * MINUTE, settle);
        tick();
        await settle();
        await each?.(m);
      }
      await clock.advanceTo(start + (minutes + 5) * MINUTE, settle);
    } finally {
      schedule.stop();
    }
  }

  for (const mode of ['500', 'html', 'truncated'] as const) {
    test(`an upstream answering ${mode} is fetched only as the backoff allows and shows as broken, not unreachable`, async () => {
      up.state.body = pack(GOOD);
      up.state.mode = mode;
      up.state.gets = 0;
      up.state.heads = 0;
      upstreamState.clear(f.db);
      pollRecord.clear(f.db);
      // Two simulated hours on a 5-minute schedule: attempts at 5, 15, 30, 55 and 100 minutes (backoff 5, 10,
      // 20, 40, then the 60-minute cap) — the old TCP probe fetched in full every 30 s instead.
      await runScheduled(new SimClock(), 120);
      assert.equal(up.state.gets, 5, `full downloads in two hours: ${up.state.gets}`);
      assert.equal(
        up.state.heads,
        0,
        'a broken upstream is not probed: only its backoff brings the next try',
      );
      const s = readStatus(f.db).upstream;
      assert.equal(s.broken, true);
      assert.equal(s.reachable, true);
      assert.equal(s.unreachableSince, null);
      assert.equal(s.consecutiveFailures, 5);
      const text = await registry.metrics();
      assert.match(text, /^outpost_upstream_broken 1$/m);
      assert.match(text, /^outpost_upstream_reachable 1$/m);
    });
  }

  const SETTINGS = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'settings' };
  const settingsValue = async () =>
    ((await f.cluster.get(SETTINGS))?.data as { key?: string } | undefined)?.key;

  test('content changed under an unchanged ETag is picked up by a full fetch once the interval has passed', async () => {
    up.state.mode = 'ok';
    up.state.etag = '"same"';
    up.state.body = pack(GOOD);
    upstreamState.clear(f.db);
    pollRecord.clear(f.db);
    let t = Date.parse('2026-06-01T00:00:00Z');
    const source = httpSource(
      up.url,
      sourceOptions({ kind: 'http', url: up.url, path: '.' }, { requireSignature: false }),
    );
    const deps = {
      ...f.deps,
      source,
      now: () => new Date(t),
      policy: { ...f.deps.policy, fullFetchIntervalMs: 24 * 60 * MINUTE },
    };
    const first = await reconcile(deps, 'schedule');
    assert.equal(first.result, 'succeeded', first.message ?? '');
    assert.equal(await settingsValue(), 'v1');
    assert.equal(readStatus(f.db).upstream.lastFullFetch, new Date(t).toISOString());

    // The publisher replaces the bundle but its server keeps the ETag: polls get 304.
    up.state.body = pack({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'v2') });
    t += 60 * MINUTE;
    const gets = up.state.gets;
    const trusted = await reconcile(deps, 'schedule');
    assert.equal(trusted.result, 'succeeded', trusted.message ?? '');
    assert.equal(await settingsValue(), 'v1', 'within the interval the ETag is trusted');
    assert.equal(up.state.gets, gets + 1, 'one conditional GET');

    t += 24 * 60 * MINUTE;
    const verified = await reconcile(deps, 'schedule');
    assert.equal(verified.result, 'succeeded', verified.message ?? '');
    assert.equal(await settingsValue(), 'v2', 'the full fetch found the new content');
    assert.equal(readStatus(f.db).upstream.lastFullFetch, new Date(t).toISOString());
  });

  /** A starting point of the test's own: the upstream publishes `value` and the node has applied it. */
  async function appliedFromUpstream(value: string) {
    up.state.mode = 'ok';
    up.state.etag = `"${value}"`;
    up.state.body = pack({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', value) });
    upstreamState.clear(f.db);
    pollRecord.clear(f.db);
    const source = httpSource(
      up.url,
      sourceOptions({ kind: 'http', url: up.url, path: '.' }, { requireSignature: false }),
    );
    const run = await reconcile({ ...f.deps, source }, 'schedule');
    assert.equal(run.result, 'succeeded', run.message ?? '');
    assert.equal(await settingsValue(), value);
    assert.ok(lkgRevision.get(f.db));
  }

  test('a wiped cluster is repaired on the next tick while an unreachable upstream backs off, and a probe ends the backoff', async () => {
    await appliedFromUpstream('v2');
    up.state.mode = 'down';
    upstreamState.clear(f.db);
    let getsAtWipe = 0;
    await runScheduled(new SimClock(), 50, async (m) => {
      // Failed polls at 5, 15 and 30 minutes; the next one is not due before 50.
      if (m === 35) {
        assert.equal(readStatus(f.db).upstream.consecutiveFailures, 3);
        assert.equal(readStatus(f.db).upstream.reachable, false);
        await f.cluster.delete(SETTINGS);
        getsAtWipe = up.state.gets;
      }
      if (m === 40) {
        assert.equal(await settingsValue(), 'v2', 'put back from the store on the next tick');
        assert.equal(up.state.gets, getsAtWipe, 'without asking the upstream');
        up.state.mode = 'ok';
      }
      if (m === 45) {
        // The tick at 45 was still inside the backoff: only the probe (a HEAD) can have ended it.
        const s = readStatus(f.db).upstream;
        assert.equal(s.consecutiveFailures, 0);
        assert.equal(s.reachable, true);
      }
    });
    assert.ok(up.state.heads > 0, 'the unreachable upstream was probed');
  });
});
