// Support tunnel pieces without a bastion: host key pins, backoff, console target, and the tunnel's config.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { loadConfig } from '../../server/config.ts';
import { ConfigError } from '../../server/config-error.ts';
import {
  blobType,
  fingerprintOf,
  hostKeyAlgorithmsFor,
  matchesPin,
  parseHostKeyPins,
} from '../../server/tunnel/hostkey.ts';
import { consoleTarget } from '../../server/tunnel/model.ts';

/** An SSH public key blob of the given type, with filler key material. */
function blob(type: string, fill: number): Buffer {
  const t = Buffer.from(type);
  const body = Buffer.alloc(32, fill);
  const out = Buffer.alloc(4 + t.length + 4 + body.length);
  out.writeUInt32BE(t.length, 0);
  t.copy(out, 4);
  out.writeUInt32BE(body.length, 4 + t.length);
  body.copy(out, 8 + t.length);
  return out;
}

const ED = blob('ssh-ed25519', 1);
const ED_OTHER = blob('ssh-ed25519', 2);
const RSA = blob('ssh-rsa', 3);
const line = (b: Buffer, comment = 'root@bastion') => `${blobType(b)} ${b.toString('base64')} ${comment}`;

describe('host key pins', () => {
  test('fingerprintOf matches what ssh-keygen -l prints (unpadded base64 SHA-256)', () => {
    const expected = createHash('sha256').update(ED).digest('base64').replace(/=+$/, '');
    assert.equal(fingerprintOf(ED), `SHA256:${expected}`);
    assert.equal(fingerprintOf(ED).length, 'SHA256:'.length + 43);
  });

  test('a key line pin matches that key only', () => {
    const pins = parseHostKeyPins(line(ED));
    assert.equal(matchesPin(pins, ED), true);
    assert.equal(matchesPin(pins, ED_OTHER), false);
  });

  test('a fingerprint pin matches that key only, with or without the trailing =', () => {
    for (const fp of [fingerprintOf(ED), `${fingerprintOf(ED)}=`]) {
      const pins = parseHostKeyPins(fp);
      assert.equal(matchesPin(pins, ED), true);
      assert.equal(matchesPin(pins, ED_OTHER), false);
    }
  });

  test('a known_hosts or ssh-keyscan line is accepted as a pin', () => {
    const pins = parseHostKeyPins(`[bastion.example.com]:2222 ${line(ED, '')}`.trim());
    assert.equal(matchesPin(pins, ED), true);
  });

  test('several pins separated by newlines or commas accept any of them', () => {
    const pins = parseHostKeyPins(`# old and new key\n${line(ED)}\n${fingerprintOf(RSA)}, ${line(ED_OTHER)}`);
    assert.equal(pins.length, 3);
    for (const b of [ED, RSA, ED_OTHER]) assert.equal(matchesPin(pins, b), true);
    assert.equal(matchesPin(pins, blob('ssh-ed25519', 9)), false);
  });

  test('garbage, an empty value and a damaged key are refused with a message that says what is expected', () => {
    assert.throws(() => parseHostKeyPins('yes'), /neither an SSH public key line .* nor a fingerprint/);
    assert.throws(() => parseHostKeyPins(' \n '), /no host key given/);
    assert.throws(() => parseHostKeyPins('SHA256:tooshort'), /neither an SSH public key line/);
    // The data says ssh-rsa while the line says ssh-ed25519.
    assert.throws(() => parseHostKeyPins(`ssh-ed25519 ${RSA.toString('base64')}`), /damaged/);
  });

  test('whole-key pins restrict the offered host key algorithms to their types; a fingerprint does not', () => {
    assert.deepEqual(hostKeyAlgorithmsFor(parseHostKeyPins(line(ED))), ['ssh-ed25519']);
    assert.deepEqual(hostKeyAlgorithmsFor(parseHostKeyPins(line(RSA))), [
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    assert.equal(hostKeyAlgorithmsFor(parseHostKeyPins(`${line(ED)}\n${fingerprintOf(RSA)}`)), undefined);
  });
});

describe('console target', () => {
  test('consoleTarget reaches a console listening on every address through loopback', () => {
    assert.deepEqual(consoleTarget('0.0.0.0', 8080), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(consoleTarget('::', 8080), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(consoleTarget('10.0.0.5', 8443), { host: '10.0.0.5', port: 8443 });
  });
});

describe('tunnel config', () => {
  const base = { OUTPOST_DEMO: '1' };
  const full = {
    ...base,
    OUTPOST_TUNNEL_HOST: 'support.example.com',
    OUTPOST_TUNNEL_USER: 'outpost',
    OUTPOST_TUNNEL_KEY_FILE: '/run/secrets/tunnel/id_ed25519',
    OUTPOST_TUNNEL_HOST_KEY: line(ED),
  };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.problems.join('\n');
    }
    assert.fail('expected a ConfigError');
  };

  test('the tunnel is off when OUTPOST_TUNNEL_HOST is unset', () => {
    assert.equal(loadConfig(base).tunnel, null);
  });

  test('a configured tunnel gets port 22, a bastion-chosen port and an 8 h maximum by default', () => {
    assert.deepEqual(loadConfig(full).tunnel, {
      host: 'support.example.com',
      port: 22,
      user: 'outpost',
      keyFile: '/run/secrets/tunnel/id_ed25519',
      hostKey: line(ED),
      remotePort: 0,
      maxMs: 8 * 3_600_000,
    });
  });

  test('loadConfig refuses a tunnel without a pinned host key (no trust on first use)', () => {
    const { OUTPOST_TUNNEL_HOST_KEY: _, ...noKey } = full;
    assert.match(
      problems(noKey),
      /OUTPOST_TUNNEL_HOST_KEY: required .*does not trust a bastion on first use/,
    );
  });

  test('loadConfig names each missing or bad tunnel setting', () => {
    const p = problems({
      ...base,
      OUTPOST_TUNNEL_HOST: 'b',
      OUTPOST_TUNNEL_HOST_KEY: 'trust me',
      OUTPOST_TUNNEL_MAX: '9h',
    });
    assert.match(p, /OUTPOST_TUNNEL_USER: required/);
    assert.match(p, /OUTPOST_TUNNEL_KEY_FILE: required/);
    assert.match(p, /OUTPOST_TUNNEL_HOST_KEY: "trust me" is neither/);
    assert.match(p, /OUTPOST_TUNNEL_MAX: between 1m and 8h/);
    assert.match(problems({ ...full, OUTPOST_TUNNEL_REMOTE_PORT: '70000' }), /OUTPOST_TUNNEL_REMOTE_PORT/);
  });

  test('loadConfig takes port, remote port and a shorter maximum from the environment', () => {
    const t = loadConfig({
      ...full,
      OUTPOST_TUNNEL_PORT: '2222',
      OUTPOST_TUNNEL_REMOTE_PORT: '18080',
      OUTPOST_TUNNEL_MAX: '2h',
    }).tunnel;
    assert.equal(t?.port, 2222);
    assert.equal(t?.remotePort, 18080);
    assert.equal(t?.maxMs, 2 * 3_600_000);
  });
});
