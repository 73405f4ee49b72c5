// The strategic-merge schema data is what its generator derives from upstream: kustomize's OpenAPI document as
// embedded in the kubectl on this machine (the same kubectl that is the Kustomize oracle).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const SCRIPT = path.resolve(import.meta.dirname, '..', '..', 'scripts', 'gen-strategic-schema.ts');

test('schema-data.ts matches what scripts/gen-strategic-schema.ts derives from kubectl', () => {
  const r = spawnSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8' });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'schema data is up to date\n');
  assert.equal(r.status, 0);
});
