// Host readings through systeminformation (what is asked how often, which interfaces count, the data volume's
// file system), the inventory for the support bundle, and the sampler's batched writes, retention and 24 h series.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as si from 'systeminformation';
import { openDb } from '../../server/db/open.ts';
import { countSamples, insertSamples } from '../../server/db/samples.ts';
import { hostFacts } from '../../server/host/facts.ts';
import { hostReader, mountOf, RATES, type Reading } from '../../server/host/readings.ts';
import { BUCKET_MS, HostSampler } from '../../server/host/sampler.ts';
import { hostSample } from '../support/host-sample.ts';
import { silentLog } from '../support/log.ts';

type Si = typeof si;

/** The real library with every call counted. */
function counted(): { lib: Si; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const lib = new Proxy(si, {
    get(target, name: string) {
      const v = Reflect.get(target, name);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return v(...args);
      };
    },
  });
  return { lib, calls };
}

test('readings come from the real host: memory, the data volume’s file system, CPU share and uptime', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-host-'));
  try {
    const r = await hostReader({ dataDir: dir })();
    assert.equal(r.memTotal, os.totalmem());
    assert.ok(r.memUsed > 0 && r.memUsed < r.memTotal);
    const fs = statfsSync(dir);
    const dfTotal = (fs.blocks - fs.bfree + fs.bavail) * fs.bsize;
    assert.ok(
      r.diskTotal !== null && Math.abs(r.diskTotal - dfTotal) / dfTotal < 0.01,
      'disk is df’s view of the data volume',
    );
    assert.ok(r.cpu !== null && r.cpu >= 0 && r.cpu <= 1);
    assert.ok(r.uptimeS > 0);
    assert.ok(!r.interfaces.some((i) => i.name === 'lo'), 'loopback is not a link');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('calls that spawn processes run at their own slower rates; the cheap ones on every reading', async () => {
  const { lib, calls } = counted();
  let now = 1_000_000;
  const read = hostReader({ dataDir: tmpdir(), si: lib, clock: () => now });
  // Nine readings 15 s apart span two minutes: df runs at the first and the last.
  for (let i = 0; i < 9; i++) {
    await read();
    now += 15_000;
  }
  assert.equal(RATES.diskMs, 120_000);
  // The load spawns synchronously in the library: once a minute (at 0, 60 and 120 s).
  assert.equal(calls.get('currentLoad'), 3);
  assert.equal(calls.get('mem'), 9);
  assert.equal(calls.get('fsSize'), 2);
  assert.equal(calls.get('cpuTemperature'), 1);
  assert.equal(calls.get('networkInterfaces'), 1);
});

/** A stand-in for the library where a test needs hardware this machine lacks (sensors, several NICs). */
function fakeSi(over: Partial<Record<keyof Si, unknown>>): Si {
  const base: Partial<Record<keyof Si, unknown>> = {
    currentLoad: async () => ({ currentLoad: 25, avgLoad: 0.5 }),
    mem: async () => ({ total: 8_000, available: 6_000 }),
    time: async () => ({ uptime: 3600.5 }),
    fsSize: async () => [
      { mount: '/', used: 10, available: 90 },
      { mount: '/data', used: 30, available: 70 },
    ],
    cpuTemperature: async () => ({ main: 55.5, max: 60 }),
    networkInterfaces: async () => [
      { iface: 'lo', internal: true },
      { iface: 'veth12', internal: false },
      { iface: 'eth0', internal: false },
      { iface: 'wlan0', internal: false },
    ],
    networkStats: async (names: string) =>
      names.split(',').map((iface) => ({
        iface,
        operstate: iface === 'eth0' ? 'up' : 'down',
        rx_bytes: iface === 'eth0' ? 1000 : 500,
        tx_bytes: iface === 'eth0' ? 2000 : 100,
      })),
  };
  return { ...base, ...over } as unknown as Si;
}

test('network counts physical interfaces only and reports their link state; temperature and the data mount', async () => {
  const r = await hostReader({ dataDir: '/data/outpost', si: fakeSi({}) })();
  assert.deepEqual(
    { rx: r.rx, tx: r.tx, interfaces: r.interfaces },
    {
      rx: 1500,
      tx: 2100,
      interfaces: [
        { name: 'eth0', up: true },
        { name: 'wlan0', up: false },
      ],
    },
  );
  assert.equal(r.temp, 55.5);
  assert.deepEqual([r.diskUsed, r.diskTotal], [30, 100], 'the longest mount holding the data directory');
  assert.deepEqual([r.cpu, r.memUsed], [0.25, 2_000]);
});

test('a host without sensors has no temperature, and a failing call keeps the reading going', async () => {
  const none = await hostReader({
    dataDir: '/',
    si: fakeSi({ cpuTemperature: async () => ({ main: null, max: null }) }),
  })();
  assert.equal(none.temp, null);
  const broken = await hostReader({
    dataDir: '/',
    si: fakeSi({
      fsSize: async () => {
        throw new Error('df: not found');
      },
    }),
  })();
  assert.deepEqual([broken.diskUsed, broken.diskTotal], [null, null]);
  assert.equal(broken.memTotal, 8_000);
});

test('mountOf picks the deepest mount that holds the folder, and never a sibling with a common prefix', () => {
  const list = [{ mount: '/' }, { mount: '/data' }, { mount: '/data2' }];
  assert.equal(mountOf(list, '/data/x')?.mount, '/data');
  assert.equal(mountOf(list, '/data2')?.mount, '/data2');
  assert.equal(mountOf(list, '/datax')?.mount, '/');
});

test('the inventory lists OS, CPU, memory and file systems, and says which part could not be read', async () => {
  const real = await hostFacts();
  assert.equal(real.hostname, os.hostname());
  assert.equal((real.memory as { total: number }).total, os.totalmem());
  assert.ok(Array.isArray(real.fileSystems) && real.fileSystems.length > 0);
  const partial = await hostFacts(
    fakeSi({
      osInfo: async () => ({
        distro: 'Debian',
        release: '12',
        kernel: '6.1',
        arch: 'arm64',
        platform: 'linux',
      }),
      system: async () => ({ manufacturer: 'Siemens', model: 'IOT2050', virtual: false }),
      cpu: async () => ({ manufacturer: 'ARM', brand: 'Cortex-A53', cores: 4, speed: 1 }),
      blockDevices: async () => {
        throw new Error('lsblk: permission denied');
      },
    }),
  );
  assert.deepEqual(partial.system, { manufacturer: 'Siemens', model: 'IOT2050', virtual: false });
  assert.equal(partial.blockDevices, undefined);
  assert.deepEqual(partial.problems, ['block devices: lsblk: permission denied']);
});

/** Readings a test controls: each call returns the next one. */
function scripted(list: Partial<Reading>[]): () => Promise<Reading> {
  let i = 0;
  return async () => ({
    cpu: 0.5,
    memUsed: 1,
    memTotal: 4,
    diskUsed: 1,
    diskTotal: 2,
    temp: 55.5,
    rx: 0,
    tx: 0,
    interfaces: [],
    uptimeS: 3600.5,
    load1: 0.1,
    ...list[Math.min(i++, list.length - 1)],
  });
}

test('the sampler writes in batches, keeps 24 h of buckets in memory and prunes by retention', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-sampler-'));
  const db = openDb(dir);
  try {
    const now = Date.now();
    // An old sample beyond retention and one from an hour ago, as if from an earlier run.
    insertSamples(db, [
      hostSample(now - 10 * 86_400_000, { cpu: 0.9 }),
      hostSample(now - 3_600_000, { cpu: 0.4, memTotal: 4, temp: 50, rx: 10, tx: 5 }),
    ]);
    const s = new HostSampler({
      db,
      log: silentLog,
      dataDir: dir,
      // The first reading primes the rates at start; then one per sample.
      read: scripted([
        { rx: 0, tx: 0 },
        { rx: 0, tx: 0 },
        { rx: 1000, tx: 4000 },
      ]),
      flushEvery: 3,
      retentionMs: 7 * 86_400_000,
    });
    s.start();
    s.stop();
    assert.equal(countSamples(db), 1, 'the sample older than the retention is gone');
    const series = s.series();
    assert.equal(series.cpu.length, (24 * 3_600_000) / BUCKET_MS);
    assert.equal(series.cpu.filter((v) => v !== null).length, 1);
    assert.equal(
      series.mem.find((v) => v !== null),
      0.25,
    );
    await s.sampleNow(now);
    assert.equal(s.now()?.sample.rx, null, 'no rate before a second reading');
    await s.sampleNow(now + 1000);
    assert.deepEqual(
      [s.now()?.sample.rx, s.now()?.sample.tx],
      [1000, 4000],
      'bytes per second between readings',
    );
    assert.equal(s.pending, 2, 'not written until the batch is full');
    assert.equal(countSamples(db), 1);
    await s.sampleNow(now + 2000);
    assert.equal(s.pending, 0);
    assert.equal(countSamples(db), 4);
    assert.equal(s.now()?.uptimeS, 3600.5);
    assert.equal(s.now()?.sample.temp, 55.5);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the sampler draws 1 h a point a minute (unwritten readings included) and 7 d a point an hour', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-sampler-'));
  const db = openDb(dir);
  try {
    const now = Date.now();
    insertSamples(db, [
      hostSample(now - 30 * 60_000, { cpu: 0.2, memTotal: 4, rx: 1, tx: 1 }),
      hostSample(now - 3 * 86_400_000, { cpu: 0.6, memUsed: 2, memTotal: 4, rx: 1, tx: 1 }),
    ]);
    const s = new HostSampler({
      db,
      log: silentLog,
      dataDir: dir,
      read: scripted([{ cpu: 0.9 }]),
      flushEvery: 100,
    });
    await s.sampleNow(now);
    assert.equal(s.pending, 1, 'the newest reading is not written yet');
    const hour = s.window('1h', now);
    assert.equal(hour.stepMs, 60_000);
    assert.equal(hour.series.cpu.length, 60);
    assert.equal(hour.series.cpu.at(-1), 0.9, 'the reading of this minute draws before it is written');
    assert.equal(hour.series.cpu.at(-31), 0.2);
    assert.equal(hour.series.cpu.filter((v) => v !== null).length, 2);
    const week = s.window('7d', now);
    assert.equal(week.series.cpu.length, 7 * 24);
    const at = (t: number) => Math.floor((t - week.start) / week.stepMs);
    assert.equal(week.series.mem[at(now - 3 * 86_400_000)], 0.5, 'three days ago, in its hour');
    assert.equal(week.series.cpu.at(-1), week.series.cpu[at(now)], 'this hour is the last point');
    assert.ok((week.series.cpu.at(-1) ?? 0) >= 0.2, 'this hour holds the newest reading');
    assert.equal(s.window('24h', now).series, s.series(), 'a day is the in-memory series');
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
