// Upward reports against a real mosquitto: bytes and messages per node per hour at steady state, a 10,000-event
// backlog drained after an outage (time, memory), and `outpost fleet` over 1,000 simulated nodes.
import { execFile, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { QUIET_MS, readFleet } from '../../server/cli/fleet.ts';
import { openDb } from '../../server/db/open.ts';
import { Reporter } from '../../server/report/index.ts';
import { type ReportConfig, type StatusSnapshot, statusMessage } from '../../server/report/model.ts';
import type { NodeStateInputs } from '../../server/sync/node-state.ts';
import { EMPTY_STATUS } from '../../server/sync/status.ts';
import { silentLog } from '../../test/support/log.ts';
import { startBroker } from '../../test/support/mosquitto.ts';
import { ROOT, startCommand } from '../../test/support/process.ts';

const run = promisify(execFile);
const HOUR_TICKS = 12; // a heartbeat every 5 minutes
const KEEPALIVE_S = 30; // MqttSink's keepalive: a 2-byte PINGREQ and a 2-byte PINGRESP each time
const BACKLOG = 10_000;
const NODES = 1_000;

const inputs = (): NodeStateInputs => ({
  status: {
    ...EMPTY_STATUS,
    applied: {
      revision: 'abc123def456',
      digest: 'sha256:abc123def456',
      at: '2026-12-01T10:00:00.000Z',
      version: '12',
      signer: null,
      source: 'http',
      objects: 303,
    },
    upstream: { ...EMPTY_STATUS.upstream, reachable: true, lastContact: '2026-12-02T07:00:00.000Z' },
  },
  health: { Healthy: 303, Progressing: 0, Degraded: 0, Unknown: 0 },
  liveError: null,
  failing: [],
});

/** A TCP relay that counts the bytes both ways: what the node's uplink would carry. */
async function countingProxy(
  port: number,
): Promise<{ port: number; bytes: () => number; close: () => void }> {
  let bytes = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    client.on('data', (d) => {
      bytes += d.length;
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      bytes += d.length;
      client.write(d);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, bytes: () => bytes, close: () => server.close() };
}

const config = (url: string): ReportConfig => ({
  identity: { node: 'gw-0042', site: 'plant-hamburg' },
  backlog: 20_000,
  heartbeatMs: 300_000,
  mqtt: { url, prefix: 'outpost' },
  webhook: null,
});

export const reportBench = {
  id: 'report',
  title: 'Upward reports (MQTT to a local mosquitto)',
  async run(): Promise<[string, string][]> {
    const rows: [string, string][] = [];
    const dir = mkdtempSync(path.join(tmpdir(), 'outpost-bench-report-'));
    const broker = await startBroker(dir);
    try {
      // Steady state: one simulated hour of heartbeats through a byte-counting relay.
      const proxy = await countingProxy(broker.port);
      let now = Date.now();
      const db = openDb(path.join(dir, 'steady'));
      const r = new Reporter({
        db,
        log: silentLog,
        config: config(`mqtt://127.0.0.1:${proxy.port}`),
        inputs,
        clock: () => new Date(now),
        host: () => ({
          sample: {
            at: now,
            cpu: 0.12,
            memUsed: 1.1e9,
            memTotal: 2e9,
            diskUsed: 3e9,
            diskTotal: 1e10,
            temp: 51.5,
            rx: 1200,
            tx: 800,
            load1: 0.4,
          },
          uptimeS: 86_400,
          interfaces: [],
        }),
      });
      await r.start();
      await r.flushed(10_000);
      const before = proxy.bytes();
      for (let i = 0; i < HOUR_TICKS; i++) {
        now += 300_000;
        r.tick();
        await r.flushed(10_000);
      }
      const publishBytes = proxy.bytes() - before;
      const keepalive = (3600 / KEEPALIVE_S) * 4;
      const perHour = publishBytes + keepalive;
      rows.push(
        [
          'steady state, per node per hour',
          `${(perHour / 1024).toFixed(1)} KB (${publishBytes} B of ${HOUR_TICKS} heartbeats + ${keepalive} B keepalive; target ≤ 20 KB)`,
        ],
        ['messages per node per hour', `${HOUR_TICKS} status publishes (+ their PUBACKs)`],
        ['10,000 nodes on one broker', `${((10_000 * HOUR_TICKS) / 3600).toFixed(1)} msg/s (target ≤ 60)`],
      );
      await r.stop();
      db.close();
      proxy.close();

      // An outage: 10,000 events recorded while the broker is down, then drained, in a process run as a node runs.
      await broker.stop();
      const child = fork(
        path.join(import.meta.dirname, 'report-drain.ts'),
        [path.join(dir, 'backlog'), broker.url, String(BACKLOG)],
        {
          execArgv: startCommand().flags,
        },
      );
      const next = () =>
        new Promise<Record<string, number | boolean>>((r) =>
          child.once('message', (m) => r(m as Record<string, number | boolean>)),
        );
      await next();
      await broker.restart();
      child.send('go');
      const d = (await next()) as { drained: boolean; ms: number; rss0: number; peak: number };
      rows.push([
        `backlog of ${BACKLOG} events after an outage`,
        `${d.drained ? 'drained' : 'NOT drained'} in ${(d.ms / 1000).toFixed(1)} s from the broker's return; peak RSS +${((d.peak - d.rss0) / 1048576).toFixed(1)} MB over ${(d.rss0 / 1048576).toFixed(0)} MB (target ≤ +10 MB)`,
      ]);

      // 1,000 nodes' retained statuses, then the reference consumer as a whole process.
      const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
      const at = new Date().toISOString();
      const states = ['ok', 'ok', 'ok', 'warn', 'bad'] as const;
      for (let i = 0; i < NODES; i++) {
        const node = `gw-${String(i).padStart(4, '0')}`;
        const site = `site-${i % 50}`;
        const snap: StatusSnapshot = {
          state: states[i % states.length] as StatusSnapshot['state'],
          reasons: ['ok'],
          since: at,
          running: { revision: 'abc123def456', version: '12' },
          held: null,
          hold: null,
          upstream: { reachable: true, lastContact: at },
        };
        await pub.publishAsync(
          `fleetbench/${site}/${node}/status`,
          statusMessage({ node, site }, snap, i % 100 !== 7, at),
          {
            qos: 1,
            retain: true,
          },
        );
      }
      await pub.endAsync();
      const t2 = performance.now();
      const inProcess = await readFleet({ url: broker.url, prefix: 'fleetbench' });
      rows.push([
        `fleet table of ${NODES} nodes, in process`,
        `${((performance.now() - t2) / 1000).toFixed(2)} s for ${inProcess.length} rows (connect, retained messages, ${QUIET_MS} ms of quiet)`,
      ]);
      const cli = path.join(ROOT, 'bin', 'outpost.js');
      const t1 = performance.now();
      const { stdout } = await run(
        process.execPath,
        [cli, 'fleet', '--mqtt', broker.url, '--prefix', 'fleetbench', '--json'],
        {
          maxBuffer: 64 << 20,
        },
      );
      const cliMs = performance.now() - t1;
      const table = JSON.parse(stdout) as { state: string }[];
      const offline = table.filter((x) => x.state === 'offline').length;
      rows.push([
        `outpost fleet over ${NODES} nodes (whole process)`,
        `${(cliMs / 1000).toFixed(2)} s, ${table.length} rows, ${offline} offline (expected ${NODES} rows, 10 offline); target ≤ 1 s`,
      ]);
    } finally {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
