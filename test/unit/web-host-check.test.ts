// Host header parsing and the names the console answers to (DNS rebinding defence).
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { hostName } from '../../server/config-sections.ts';
import { hostMatcher, parseHostHeader } from '../../server/web/middleware/host-check.ts';

test('parseHostHeader reads names and IP literals with or without a port', () => {
  assert.deepEqual(parseHostHeader('127.0.0.1'), { kind: 'ip' });
  assert.deepEqual(parseHostHeader('10.42.0.7:8080'), { kind: 'ip' });
  assert.deepEqual(parseHostHeader('[::1]'), { kind: 'ip' });
  assert.deepEqual(parseHostHeader('[fe80::1:2]:8080'), { kind: 'ip' });
  assert.deepEqual(parseHostHeader('Gateway-7.Plant.example.:443'), {
    kind: 'name',
    name: 'gateway-7.plant.example',
  });
});

test('parseHostHeader refuses what is not one host: lists, paths, bad ports, unbracketed IPv6, junk', () => {
  for (const bad of [
    undefined,
    '',
    'a.example, b.example',
    'a.example/x',
    'a.example:99999',
    'a.example:',
    '::1',
    '[::1',
    '[not-ip]:80',
    'user@a.example',
    '-lead.example',
    'a..example',
    'x'.repeat(301),
    `${'a'.repeat(64)}.example`,
  ]) {
    assert.equal(parseHostHeader(bad), null, String(bad));
  }
});

test('hostMatcher allows IP literals, localhost, the node name, the system host name, .local and extras', () => {
  const allowed = hostMatcher({ nodeName: 'gw-17', allowedHosts: ['console.plant.example'] });
  for (const ok of [
    '127.0.0.1:8080',
    '[::1]:8080',
    '192.168.1.20',
    'localhost',
    'LOCALHOST:8080',
    'gw-17',
    'gw-17.local:8080',
    `${hostName(hostname())}`,
    'console.plant.example',
  ]) {
    assert.equal(allowed(ok), true, ok);
  }
  for (const no of [
    'evil.example',
    'gw-17.evil.example',
    'localhost.evil.example',
    'plant.example',
    undefined,
  ]) {
    assert.equal(allowed(no), false, String(no));
  }
});

test('hostName normalises case and a trailing dot and refuses schemes, ports and paths', () => {
  assert.equal(hostName(' GW-17.Plant.Example. '), 'gw-17.plant.example');
  for (const bad of ['https://a.example', 'a.example:8080', 'a.example/x', '', '.'])
    assert.equal(hostName(bad), null, bad);
});
