// Host readings from a /proc and /sys fixture tree, and the sampler's batched writes, retention and 24 h series.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { openDb } from '../../server/db/open.ts';
import { countSamples, insertSamples } from '../../server/db/samples.ts';
import { cpuShare, cpuTimes, memory, network, temperature } from '../../server/host/proc.ts';
import { BUCKET_MS, HostSampler } from '../../server/host/sampler.ts';
import { silentLog } from '../support/log.ts';

const root = mkdtempSync(path.join(tmpdir(), 'outpost-proc-'));
after(() => rmSync(root, { recursive: true, force: true }));
const put = (rel: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
};
put('proc/stat', 'cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 350 50 0 0 0 0 0\n');
put(
  'proc/meminfo',
  'MemTotal:        8000000 kB\nMemFree:          500000 kB\nMemAvailable:    6000000 kB\n',
);
put('proc/uptime', '3600.50 7000.00\n');
put(
  'proc/net/dev',
  `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 999999     10    0    0    0     0          0         0   999999      10    0    0    0     0       0          0
  eth0:  1000       10    0    0    0     0          0         0     2000      10    0    0    0     0       0          0
veth12:  5000       10    0    0    0     0          0         0     5000      10    0    0    0     0       0          0
  wlan0:  500       10    0    0    0     0          0         0      100      10    0    0    0     0       0          0
`,
);
put('sys/class/net/eth0/operstate', 'up\n');
put('sys/class/net/wlan0/operstate', 'down\n');
put('sys/class/thermal/thermal_zone0/type', 'acpitz\n');
put('sys/class/thermal/thermal_zone0/temp', '30000\n');
put('sys/class/thermal/thermal_zone1/type', 'x86_pkg_temp\n');
put('sys/class/thermal/thermal_zone1/temp', '55500\n');
const paths = { root };

test('CPU share is busy time over total between two readings', () => {
  const a = cpuTimes(paths);
  assert.deepEqual(a, { busy: 200, total: 1000 });
  assert.equal(cpuShare(a, { busy: 300, total: 1200 }), 0.5);
  assert.equal(cpuShare(a, a), null);
});

test('memory in use is total minus available', () => {
  assert.deepEqual(memory(paths), { used: 2_000_000 * 1024, total: 8_000_000 * 1024 });
});

test('network counts physical interfaces only and reports their link state', () => {
  const n = network(paths);
  assert.equal(n.rx, 1500);
  assert.equal(n.tx, 2100);
  assert.deepEqual(n.interfaces, [
    { name: 'eth0', up: true },
    { name: 'wlan0', up: false },
  ]);
});

test('temperature prefers the CPU package zone, and is null when the hardware has no sensor', () => {
  assert.equal(temperature(paths), 55.5);
  assert.equal(temperature({ root: path.join(root, 'nothing') }), null);
});

test('the sampler writes in batches, keeps 24 h of buckets in memory and prunes by retention', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-sampler-'));
  const db = openDb(dir);
  try {
    const now = Date.now();
    // An old sample beyond retention and one from an hour ago, as if from an earlier run.
    insertSamples(db, [
      {
        at: now - 10 * 86_400_000,
        cpu: 0.9,
        memUsed: 1,
        memTotal: 2,
        diskUsed: 1,
        diskTotal: 2,
        temp: null,
        rx: 0,
        tx: 0,
        load1: 0,
      },
      {
        at: now - 3_600_000,
        cpu: 0.4,
        memUsed: 1,
        memTotal: 4,
        diskUsed: 1,
        diskTotal: 2,
        temp: 50,
        rx: 10,
        tx: 5,
        load1: 0,
      },
    ]);
    const s = new HostSampler({
      db,
      log: silentLog,
      dataDir: dir,
      paths,
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
    s.sampleNow(now);
    s.sampleNow(now + 1000);
    assert.equal(s.pending, 2, 'not written until the batch is full');
    assert.equal(countSamples(db), 1);
    s.sampleNow(now + 2000);
    assert.equal(s.pending, 0);
    assert.equal(countSamples(db), 4);
    assert.equal(s.now()?.uptimeS, 3600.5);
    assert.equal(s.now()?.sample.temp, 55.5);
    assert.ok((s.now()?.sample.diskTotal ?? 0) > 0, 'disk comes from the data directory’s file system');
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
