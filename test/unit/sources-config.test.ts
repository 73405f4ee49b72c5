// Config for sources and signatures: trusted keys, the signature switch, credentials, pins and timeouts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../server/config.ts';
import { ConfigError } from '../../server/config-error.ts';
import { makeKeyPair } from '../support/minisign.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-srccfg-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const a = makeKeyPair(tmp, 'a');
const b = makeKeyPair(tmp, 'b');
const BASE = { KUBECONFIG: '/tmp/kc.yaml' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...BASE, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail('expected a ConfigError');
}

test('config accepts git, http and oci sources with their credentials, pin and fetch timeout', () => {
  const c = loadConfig({
    ...BASE,
    OUTPOST_SOURCE_KIND: 'git',
    OUTPOST_SOURCE_URL: 'https://git.example/fleet.git',
    OUTPOST_SOURCE_REF: 'main',
    OUTPOST_SOURCE_AUTH_FILE: '/var/run/secrets/outpost/git',
    OUTPOST_SOURCE_TLS_PIN: `sha256//${Buffer.alloc(32).toString('base64')}`,
    OUTPOST_FETCH_TIMEOUT: '90s',
  });
  assert.equal(c.source.authFile, '/var/run/secrets/outpost/git');
  assert.match(c.source.tlsPin ?? '', /^sha256\/\//);
  assert.equal(c.fetchTimeout, 90_000);
  assert.equal(
    loadConfig({ ...BASE, OUTPOST_SOURCE_KIND: 'oci', OUTPOST_SOURCE_URL: 'oci://r.example/f:1' }).source
      .kind,
    'oci',
  );
  assert.equal(
    loadConfig({ ...BASE, OUTPOST_SOURCE_KIND: 'http', OUTPOST_SOURCE_URL: 'https://x/b.tar.gz' })
      .fetchTimeout,
    60_000,
  );
});

test('config reads OUTPOST_TRUSTED_KEYS as key lines and .pub paths, and requires signatures by default', () => {
  const c = loadConfig({
    ...BASE,
    OUTPOST_SOURCE_KIND: 'upload',
    OUTPOST_DATA_DIR: tmp,
    OUTPOST_TRUSTED_KEYS: `${a.line}, ${b.pub}`,
  });
  assert.deepEqual(c.trustedKeys, [a.line, b.line]);
  assert.equal(c.requireSignature, true);
  assert.equal(c.source.url, path.join(tmp, 'uploads'));
  const off = loadConfig({ ...BASE, OUTPOST_SOURCE_KIND: 'upload', OUTPOST_REQUIRE_SIGNATURE: '0' });
  assert.equal(off.requireSignature, false);
});

test('config names the bad trusted key, pin and source URL', () => {
  const p = problems({
    OUTPOST_SOURCE_KIND: 'oci',
    OUTPOST_SOURCE_URL: 'https://registry.example/fleet',
    OUTPOST_TRUSTED_KEYS: `${a.line},/nowhere/fleet.pub`,
    OUTPOST_SOURCE_TLS_PIN: 'abc',
  });
  assert.ok(
    p.some((l) =>
      l.startsWith('OUTPOST_TRUSTED_KEYS: "/nowhere/fleet.pub" is neither a minisign public key'),
    ),
    p.join('\n'),
  );
  assert.ok(
    p.some((l) => l.startsWith('OUTPOST_SOURCE_TLS_PIN: TLS pin "abc"')),
    p.join('\n'),
  );
  assert.ok(
    p.some((l) => l.startsWith('OUTPOST_SOURCE_URL: an oci source looks like oci://')),
    p.join('\n'),
  );
  const g = problems({ OUTPOST_SOURCE_KIND: 'git', OUTPOST_SOURCE_URL: 'git@github.com:acme/fleet.git' });
  assert.ok(
    g.some((l) => l.startsWith('OUTPOST_SOURCE_URL: a git source needs an http:// or https:// URL')),
    g.join('\n'),
  );
});
