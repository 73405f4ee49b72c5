// Support bundles never carry secrets: passwords, tokens, credentials in URLs and token query parameters go.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact } from '../../server/sync/redact.ts';
import { bundleName } from '../../server/web/routes/support.ts';

test('secret-looking keys, URL credentials and token parameters are redacted; the rest stays', () => {
  const out = redact({
    source: {
      kind: 'git',
      url: 'https://deploy:hunter2@git.example/fleet.git',
      authFile: '/run/secrets/git',
    },
    access: { sessionSecret: 'abc', metricsToken: 'xyz', password: 'pw' },
    hook: 'https://hooks.example/x?token=s3cr3t&site=7',
    trustedKeys: ['RWQ...pub'],
    port: 8080,
  }) as Record<string, Record<string, unknown>>;
  assert.equal(out.source?.url, 'https://[redacted]@git.example/fleet.git');
  assert.equal(out.source?.authFile, '/run/secrets/git');
  assert.deepEqual(out.access, {
    sessionSecret: '[redacted]',
    metricsToken: '[redacted]',
    password: '[redacted]',
  });
  assert.equal(out.hook, 'https://hooks.example/x?token=[redacted]&site=7');
  assert.deepEqual(out.trustedKeys, ['RWQ...pub']);
  assert.equal(out.port, 8080);
});

test('the download is named after the node and the time, with nothing a file system would refuse', () => {
  assert.equal(
    bundleName('gw 7/berlin', new Date('2026-11-24T10:20:30.456Z')),
    'outpost-support-gw_7_berlin-2026-11-24T10-20-30Z.tar.gz',
  );
});
