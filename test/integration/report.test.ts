// Upward reports against real parts: Debian's mosquitto (TLS with a pinned CA, a password file, persistence
// across a restart) and a webhook receiver on loopback that checks signatures and makes Outpost retry.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { openDb } from '../../server/db/open.ts';
import { appendEvents, type OutboxEvent } from '../../server/db/outbox.ts';
import { Reporter } from '../../server/report/index.ts';
import { EVENT, event, type ReportConfig, statusMessage, topics } from '../../server/report/model.ts';
import { SIGNATURE_HEADER, signature } from '../../server/report/webhook.ts';
import type { NodeStateInputs } from '../../server/sync/node-state.ts';
import { EMPTY_STATUS } from '../../server/sync/status.ts';
import { silentLog } from '../support/log.ts';
import { type Broker, startBroker } from '../support/mosquitto.ts';
import { ROOT, startOutpost, waitFor } from '../support/process.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'outpost-report-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const run = promisify(execFile);
const identity = { node: 'gw-7', site: 'hamburg' };
const inputs = (): NodeStateInputs => ({
  status: {
    ...EMPTY_STATUS,
    applied: {
      revision: 'abc123def456',
      digest: 'sha256:abc',
      at: new Date().toISOString(),
      version: '12',
      signer: null,
      source: 'http',
      objects: 5,
    },
  },
  health: { Healthy: 5, Progressing: 0, Degraded: 0, Unknown: 0 },
  liveError: null,
  failing: [],
});

function reportConfig(over: Partial<ReportConfig>): ReportConfig {
  return { identity, backlog: 10_000, heartbeatMs: 300_000, mqtt: null, webhook: null, ...over };
}

interface Received {
  topic: string;
  body: Record<string, unknown>;
  retain: boolean;
}

/** A consumer whose messages are recorded from the first packet (queued QoS 1 messages come right at connect). */
async function subscriber(
  b: Broker,
  opts: { clientId?: string; clean?: boolean } = {},
): Promise<{ client: MqttClient; messages: Received[]; on: (topic: string) => Received[] }> {
  const client = mqtt.connect(b.url, {
    ...(b.credentials ?? {}),
    ...(b.caFile ? { ca: [readFileSync(b.caFile)] } : {}),
    clientId: opts.clientId ?? `test-${Math.random().toString(16).slice(2)}`,
    clean: opts.clean ?? true,
    reconnectPeriod: 200,
    protocolVersion: 4,
  });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    messages.push({
      topic,
      body: JSON.parse(payload.toString()) as Record<string, unknown>,
      retain: packet.retain,
    });
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return { client, messages, on: (topic) => messages.filter((m) => m.topic === topic) };
}

test('MQTT over TLS with a pinned CA and a password: a retained status a late subscriber reads, events in order', async () => {
  const broker = await startBroker(tmp(), { tls: true, password: true });
  const db = openDb(tmp());
  const reporter = new Reporter({
    db,
    log: silentLog,
    config: reportConfig({
      mqtt: {
        url: broker.url,
        prefix: 'plants',
        caFile: broker.caFile as string,
        authFile: broker.authFile as string,
      },
    }),
    inputs,
  });
  try {
    await reporter.start();
    assert.ok(await reporter.flushed(15_000), 'connected and the first state delivered');
    const t = topics('plants', identity);
    assert.equal(t.status, 'plants/hamburg/gw-7/status');
    // Subscribed after Outpost published: only a retained message can arrive.
    const late = await subscriber(broker);
    await late.client.subscribeAsync(t.status, { qos: 1 });
    const status = await waitFor('the retained status', async () => late.on(t.status)[0]);
    assert.equal(status.retain, true);
    assert.deepEqual(
      [status.body.schema, status.body.node, status.body.site, status.body.online],
      ['outpost.status/v1', 'gw-7', 'hamburg', true],
    );
    assert.deepEqual(status.body.running, { revision: 'abc123def456', version: '12' });

    await late.client.subscribeAsync(t.events, { qos: 1 });
    const runs: OutboxEvent[] = Array.from({ length: 30 }, (_, i) => event(EVENT.run, 'info', { run: i }));
    appendEvents(db, runs, {
      max: 10_000,
      dropFirst: EVENT.heartbeat,
      notice: () => event(EVENT.dropped, 'warning', {}),
    });
    reporter.drain();
    await waitFor('30 run events', async () => late.on(t.events).length >= 30);
    assert.deepEqual(
      late.on(t.events).map((m) => (m.body.data as { run: number }).run),
      runs.map((_, i) => i),
    );
    const ce = late.on(t.events)[0]?.body as Record<string, unknown>;
    assert.deepEqual(
      [ce.specversion, ce.type, ce.source, ce.dataschema],
      ['1.0', EVENT.run, 'outpost://hamburg/gw-7', 'urn:outpost:report:v1'],
    );
    await late.client.endAsync();
  } finally {
    await reporter.stop();
    db.close();
    await broker.stop();
  }
});

test('a wrong password is refused by the broker and nothing is lost: the backlog drains once the file is right', async () => {
  const broker = await startBroker(tmp(), { password: true });
  const dir = tmp();
  const authFile = path.join(dir, 'auth');
  writeFileSync(authFile, 'gateway:wrong');
  const db = openDb(dir);
  const reporter = new Reporter({
    db,
    log: silentLog,
    config: reportConfig({ mqtt: { url: broker.url, prefix: 'outpost', authFile } }),
    inputs,
  });
  try {
    await reporter.start();
    appendEvents(db, [event(EVENT.run, 'error', { run: 1 })], {
      max: 100,
      dropFirst: EVENT.heartbeat,
      notice: () => event(EVENT.dropped, 'warning', {}),
    });
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok((reporter.pending().mqtt ?? 0) >= 1, 'not delivered with a wrong password');
    // The Secret is rotated: the next reconnect reads it.
    writeFileSync(authFile, `${broker.credentials?.username}:${broker.credentials?.password}`);
    assert.ok(await reporter.flushed(20_000), 'delivered after the credentials were fixed');
  } finally {
    await reporter.stop();
    db.close();
    await broker.stop();
  }
});

test('QoS 1 survives a broker restart, and a backlog built while the broker was down drains in order', async () => {
  const broker = await startBroker(tmp());
  const db = openDb(tmp());
  const reporter = new Reporter({
    db,
    log: silentLog,
    config: reportConfig({ mqtt: { url: broker.url, prefix: 'outpost' } }),
    inputs,
  });
  const t = topics('outpost', identity);
  const bound = {
    max: 10_000,
    dropFirst: EVENT.heartbeat,
    notice: () => event(EVENT.dropped, 'warning', {}),
  };
  try {
    await reporter.start();
    await reporter.flushed(10_000);
    // A fleet consumer with a persistent session subscribes, then goes away.
    const first = await subscriber(broker, { clientId: 'fleet-consumer', clean: false });
    await first.client.subscribeAsync(t.events, { qos: 1 });
    await first.client.endAsync();

    appendEvents(
      db,
      Array.from({ length: 20 }, (_, i) => event(EVENT.run, 'info', { run: i })),
      bound,
    );
    assert.ok(await reporter.flushed(10_000), 'the broker took the first 20');
    await broker.restart();

    // While the broker is down, Outpost keeps recording.
    await broker.stop();
    appendEvents(
      db,
      Array.from({ length: 200 }, (_, i) => event(EVENT.run, 'info', { run: 20 + i })),
      bound,
    );
    reporter.drain();
    await new Promise((r) => setTimeout(r, 500));
    assert.ok((reporter.pending().mqtt ?? 0) >= 200);
    await broker.restart();
    assert.ok(await reporter.flushed(30_000), 'the backlog drained after the broker came back');

    const consumer = await subscriber(broker, { clientId: 'fleet-consumer', clean: false });
    await waitFor('all 220 events', async () => consumer.on(t.events).length >= 220, 20_000);
    const runs = consumer.on(t.events).map((m) => (m.body.data as { run: number }).run);
    assert.deepEqual(
      runs,
      Array.from({ length: 220 }, (_, i) => i),
      'every event, once, in order',
    );
    await consumer.client.endAsync();
  } finally {
    await reporter.stop();
    db.close();
    await broker.stop();
  }
});

test('the Last Will marks a node offline when Outpost is killed with -9; its retained status said online before', async () => {
  const broker = await startBroker(tmp());
  const topic = 'outpost/hamburg/gw-kill/status';
  const watcher = await subscriber(broker);
  await watcher.client.subscribeAsync(topic, { qos: 1 });
  const outpost = await startOutpost({
    OUTPOST_DEMO: '1',
    OUTPOST_DATA_DIR: tmp(),
    OUTPOST_NODE_NAME: 'gw-kill',
    OUTPOST_SITE_ID: 'hamburg',
    OUTPOST_REPORT_MQTT_URL: broker.url,
  });
  try {
    const online = await waitFor(
      'a retained online status with the demo applied',
      async () => watcher.on(topic).find((m) => m.body.online === true && m.body.running !== null),
      30_000,
    );
    assert.equal(online.body.node, 'gw-kill');
    assert.equal(outpost.proc.exitCode, null, outpost.logs.join(''));
    process.kill(-(outpost.proc.pid as number), 'SIGKILL');
    const offline = await waitFor('the Last Will', async () =>
      watcher.on(topic).find((m) => m.body.online === false),
    );
    assert.equal(offline.body.node, 'gw-kill');
    assert.equal(offline.retain, false, 'delivered live to a subscriber; retained for the next one');
    const late = await subscriber(broker);
    await late.client.subscribeAsync(topic, { qos: 1 });
    const r = await waitFor('the retained offline status', async () => late.on(topic)[0]);
    assert.equal(r.body.online, false);
    assert.equal(r.retain, true);
    await late.client.endAsync();
  } finally {
    await outpost.stop();
    await watcher.client.endAsync();
    await broker.stop();
  }
});

async function receiver(answers: number[]) {
  const received: { body: string; headers: IncomingMessage['headers'] }[] = [];
  let i = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString(), headers: req.headers });
      const status = answers[Math.min(i++, answers.length - 1)] ?? 200;
      res.writeHead(status, status === 503 ? { 'retry-after': '0' } : {});
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/outpost`;
  return { url, received, close: () => new Promise((r) => server.close(r)) };
}

test('webhooks: signed CloudEvents, a 503 retried, a 400 skipped, and only what the filter asks for', async () => {
  // The receiver: 503 first (retried), then 400 for the second event (skipped for good), then 200s.
  const hook = await receiver([503, 200, 400, 200]);
  const dir = tmp();
  const secretFile = path.join(dir, 'secret');
  writeFileSync(secretFile, 's3cret-hmac-key\n');
  const db = openDb(dir);
  const reporter = new Reporter({
    db,
    log: silentLog,
    config: reportConfig({
      webhook: { url: hook.url, secretFile, types: ['io.outpost.run.*'], minSeverity: 'warning' },
    }),
    inputs,
  });
  try {
    await reporter.start();
    appendEvents(
      db,
      [
        event(EVENT.run, 'error', { run: 1 }),
        event(EVENT.run, 'info', { run: 2 }), // below the severity asked for
        event(EVENT.action, 'warning', { action: 'sign-in' }), // a type not asked for
        event(EVENT.run, 'warning', { run: 3 }),
        event(EVENT.run, 'error', { run: 4 }),
      ],
      { max: 100, dropFirst: EVENT.heartbeat, notice: () => event(EVENT.dropped, 'warning', {}) },
    );
    assert.ok(await reporter.flushed(20_000));
    const runs = hook.received.map((r) => (JSON.parse(r.body) as { data: { run: number } }).data.run);
    assert.deepEqual(runs, [1, 1, 3, 4], 'run 1 twice (503 then 200), run 3 refused and not retried');
    for (const r of hook.received) {
      assert.equal(r.headers[SIGNATURE_HEADER], signature('s3cret-hmac-key', r.body));
      assert.equal(r.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
    }
    const first = JSON.parse(hook.received[0]?.body ?? '{}') as { id: string };
    const again = JSON.parse(hook.received[1]?.body ?? '{}') as { id: string };
    assert.equal(first.id, again.id, 'a retry carries the same event id');
  } finally {
    await reporter.stop();
    db.close();
    await hook.close();
  }
});

test('outpost fleet prints every node from the retained statuses, worst first, and as JSON', async () => {
  const broker = await startBroker(tmp());
  const publisher = await subscriber(broker);
  try {
    const now = new Date().toISOString();
    const snap = (state: 'ok' | 'bad', reasons: string[]) => ({
      state,
      reasons,
      since: now,
      running: { revision: 'abc123def456', version: '12' },
      held: null,
      hold: null,
      upstream: { reachable: true, lastContact: now },
    });
    const put = (site: string, node: string, body: string) =>
      publisher.client.publishAsync(`outpost/${site}/${node}/status`, body, { qos: 1, retain: true });
    await put(
      'hamburg',
      'gw-1',
      statusMessage({ node: 'gw-1', site: 'hamburg' }, snap('ok', ['ok']), true, now),
    );
    await put(
      'hamburg',
      'gw-2',
      statusMessage({ node: 'gw-2', site: 'hamburg' }, snap('bad', ['failing']), true, now),
    );
    await put('lyon', 'gw-3', statusMessage({ node: 'gw-3', site: 'lyon' }, snap('ok', ['ok']), false, now));
    await put('lyon', 'noise', 'not a status');
    const cli = path.join(ROOT, 'bin', 'outpost.js');
    const { stdout } = await run(process.execPath, [cli, 'fleet', '--mqtt', broker.url]);
    const lines = stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^NODE\s+SITE\s+STATE\s+RUNNING\s+SINCE\s+LAST SEEN\s+WHY$/);
    assert.deepEqual(
      lines.slice(1, 4).map((l) => l.split(/\s+/).slice(0, 3)),
      [
        ['gw-2', 'hamburg', 'bad'],
        ['gw-3', 'lyon', 'offline'],
        ['gw-1', 'hamburg', 'ok'],
      ],
    );
    assert.match(lines.at(-1) ?? '', /^3 nodes: 1 bad, 1 offline, 1 ok$/);
    const json = JSON.parse(
      (await run(process.execPath, [cli, 'fleet', '--mqtt', broker.url, '--sort', 'node', '--json'])).stdout,
    ) as {
      node: string;
      running: string;
    }[];
    assert.deepEqual(
      json.map((r) => r.node),
      ['gw-1', 'gw-2', 'gw-3'],
    );
    assert.equal(json[0]?.running, 'v12');
  } finally {
    await publisher.client.endAsync();
    await broker.stop();
  }
});
