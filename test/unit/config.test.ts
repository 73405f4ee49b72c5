// Config: defaults, env over file, and one clear line per problem.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEMO_FLEET_DIR, loadConfig } from '../../server/config.ts';
import { ConfigError } from '../../server/config-error.ts';

test('config falls back to demo with the sample fleet when no cluster is configured', () => {
  const c = loadConfig({});
  assert.equal(c.demo, true);
  assert.equal(c.cluster.mode, 'demo');
  assert.equal(c.port, 8080);
  assert.equal(c.schedule, '*/5 * * * *');
  assert.deepEqual(c.source, { kind: 'dir', url: DEMO_FLEET_DIR, path: 'sites/berlin' });
  assert.match(c.demoReason ?? '', /no cluster configured/);
});

test('config uses KUBECONFIG when set and then needs a source', () => {
  assert.throws(
    () => loadConfig({ KUBECONFIG: '/tmp/kc.yaml' }),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.problems.some((p) => p.startsWith('OUTPOST_SOURCE_KIND: required')) &&
      err.problems.some((p) => p.startsWith('OUTPOST_SOURCE_URL: required')),
  );
  const c = loadConfig({
    KUBECONFIG: '/tmp/kc.yaml',
    OUTPOST_SOURCE_KIND: 'dir',
    OUTPOST_SOURCE_URL: '/srv/fleet',
  });
  assert.deepEqual(c.cluster, { mode: 'kubeconfig', path: '/tmp/kc.yaml' });
  assert.equal(c.demo, false);
});

test('config reports every invalid setting on its own line naming the variable', () => {
  try {
    loadConfig({ OUTPOST_PORT: 'eighty', OUTPOST_SCHEDULE: 'every day', OUTPOST_SOURCE_KIND: 'ftp' });
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const names = err.problems.map((p) => p.split(':')[0]);
    assert.deepEqual(names.sort(), ['OUTPOST_PORT', 'OUTPOST_SCHEDULE', 'OUTPOST_SOURCE_KIND']);
    assert.equal(err.message.split('\n').length, 4);
  }
});

test('config reads the YAML file and lets the environment override it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-config-'));
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    'port: 9000\nschedule: "*/2 * * * *"\nsource:\n  kind: dir\n  url: /srv/a\n  path: sites/x\n',
  );
  const c = loadConfig({ OUTPOST_CONFIG: file, OUTPOST_PORT: '9100', OUTPOST_DEMO: '1' });
  assert.equal(c.port, 9100);
  assert.equal(c.schedule, '*/2 * * * *');
  assert.deepEqual(c.source, { kind: 'dir', url: '/srv/a', path: 'sites/x' });
});

test('config refuses a source path that escapes the source', () => {
  assert.throws(
    () => loadConfig({ OUTPOST_SOURCE_PATH: '../etc' }),
    /OUTPOST_SOURCE_PATH: "..\/etc" must be a relative path/,
  );
});

test('config names the file when it is not valid YAML', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-config-'));
  const file = path.join(dir, 'bad.yaml');
  writeFileSync(file, 'port: [1, 2\n');
  assert.throws(
    () => loadConfig({ OUTPOST_CONFIG: file }),
    new RegExp(`OUTPOST_CONFIG: ${file} is not valid YAML`),
  );
});

test('config lets the console choose only signed sources while signatures are required, and refuses "any" then', () => {
  assert.equal(loadConfig({}).consoleSourceEdit, 'signed');
  assert.equal(loadConfig({ OUTPOST_REQUIRE_SIGNATURE: '0' }).consoleSourceEdit, 'any');
  assert.equal(loadConfig({ OUTPOST_CONSOLE_SOURCE_EDIT: 'off' }).consoleSourceEdit, 'off');
  assert.throws(
    () => loadConfig({ OUTPOST_CONSOLE_SOURCE_EDIT: 'any' }),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.problems.some((p) =>
        /^OUTPOST_CONSOLE_SOURCE_EDIT: "any" would let the console choose unsigned/.test(p),
      ),
  );
  assert.throws(
    () => loadConfig({ OUTPOST_CONSOLE_SOURCE_EDIT: 'sometimes' }),
    /OUTPOST_CONSOLE_SOURCE_EDIT/,
  );
});

test('config reads OUTPOST_ALLOWED_HOSTS as host names and refuses a URL or a port in it', () => {
  const c = loadConfig({ OUTPOST_ALLOWED_HOSTS: 'Console.Plant.example, gw-17.vpn.example' });
  assert.deepEqual(c.access.allowedHosts, ['console.plant.example', 'gw-17.vpn.example']);
  assert.deepEqual(loadConfig({}).access.allowedHosts, []);
  assert.throws(
    () => loadConfig({ OUTPOST_ALLOWED_HOSTS: 'https://console.example,gw:8080' }),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.problems.length === 2 &&
      err.problems.every((p) => p.startsWith('OUTPOST_ALLOWED_HOSTS: ')),
  );
});

test('config refuses a schedule that never fires or fires every few seconds, saying which', () => {
  assert.throws(
    () => loadConfig({ OUTPOST_SCHEDULE: '0 0 31 2 *' }),
    (err: unknown) =>
      err instanceof ConfigError && /OUTPOST_SCHEDULE: "0 0 31 2 \*" never fires/.test(err.message),
  );
  assert.throws(
    () => loadConfig({ OUTPOST_SCHEDULE: '* * * * * *' }),
    (err: unknown) =>
      err instanceof ConfigError &&
      /OUTPOST_SCHEDULE: .*fires every 1 s; .*at most once a minute/.test(err.message),
  );
  assert.equal(loadConfig({ OUTPOST_SCHEDULE: '0 3 * * *' }).schedule, '0 3 * * *');
});

test('config reads the full-fetch interval and the empty-database override', () => {
  const c = loadConfig({ OUTPOST_FULL_FETCH_INTERVAL: '6h', OUTPOST_INIT_EMPTY_DB: '1' });
  assert.equal(c.policy.fullFetchIntervalMs, 6 * 3_600_000);
  assert.equal(c.initEmptyDb, true);
  assert.equal(loadConfig({}).policy.fullFetchIntervalMs, 24 * 3_600_000);
  assert.equal(loadConfig({}).initEmptyDb, false);
});

test('config reads OUTPOST_TIME_ZONE as an IANA name for the schedule and windows, and refuses an unknown one', () => {
  assert.equal(loadConfig({ OUTPOST_TIME_ZONE: 'Europe/Berlin' }).policy.timeZone, 'Europe/Berlin');
  assert.equal(loadConfig({}).policy.timeZone, undefined, "the node's own zone when unset");
  assert.throws(
    () => loadConfig({ OUTPOST_TIME_ZONE: 'Mars/Olympus_Mons' }),
    (err: unknown) => err instanceof ConfigError && /OUTPOST_TIME_ZONE: an IANA time zone/.test(err.message),
  );
});

test('each duration and size left unset takes its documented default, in milliseconds and bytes', () => {
  const c = loadConfig({
    OUTPOST_TUNNEL_HOST: 'bastion.example',
    OUTPOST_TUNNEL_USER: 'gw-17',
    OUTPOST_TUNNEL_KEY_FILE: '/secrets/tunnel/id_ed25519',
    OUTPOST_TUNNEL_HOST_KEY: `SHA256:${'A'.repeat(43)}`,
    OUTPOST_REPORT_WEBHOOK_URL: 'https://hooks.example/outpost',
  });
  const MIB = 1024 * 1024;
  assert.equal(c.policy.healthTimeoutMs, 5 * 60_000);
  assert.equal(c.policy.fullFetchIntervalMs, 24 * 3_600_000);
  assert.equal(c.fetchTimeout, 60_000);
  assert.equal(c.render.timeoutMs, 60_000);
  assert.equal(c.tunnel?.maxMs, 8 * 3_600_000);
  assert.equal(c.tunnel?.port, 22);
  assert.equal(c.report?.heartbeatMs, 5 * 60_000);
  assert.equal(c.report?.backlog, 10_000);
  assert.deepEqual(
    [c.access.enrollmentTtlMs, c.access.sessionIdleMs, c.access.sessionMaxMs],
    [3_600_000, 30 * 60_000, 12 * 3_600_000],
  );
  assert.deepEqual(c.access.kioskAddresses, ['127.0.0.1', '::1']);
  assert.deepEqual(c.samples, { intervalMs: 15_000, retentionMs: 7 * 86_400_000 });
  assert.deepEqual([c.store.limitBytes, c.store.reserveBytes, c.store.checkMs], [256 * MIB, 8 * MIB, 30_000]);
  assert.deepEqual(c.sim, { failImages: ['*:broken*'], readyDelayMs: 1000, latencyMs: 0 });
});

test('durations given as numbers are seconds, and as text take their unit', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-config-'));
  const file = path.join(dir, 'outpost.yaml');
  writeFileSync(file, 'healthTimeout: 90\nsamples:\n  retention: 2d\n');
  const c = loadConfig({
    OUTPOST_CONFIG: file,
    OUTPOST_SESSION_IDLE: '15m',
    OUTPOST_SIM_READY_DELAY: '0',
    OUTPOST_SIM_LATENCY: '2ms',
  });
  assert.equal(c.policy.healthTimeoutMs, 90_000);
  assert.equal(c.samples.retentionMs, 2 * 86_400_000);
  assert.equal(c.access.sessionIdleMs, 15 * 60_000);
  assert.equal(c.sim.readyDelayMs, 0);
  assert.equal(c.sim.latencyMs, 2);
});
