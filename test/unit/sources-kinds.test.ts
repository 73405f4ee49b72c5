// The source vocabulary: one list of kinds, one signed-bundle rule, and one address/path rule that the
// configuration and the console's settings both apply (they used to disagree on `https://` and `C:\`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../server/config.ts';
import { ConfigError } from '../../server/config-error.ts';
import {
  isSignedKind,
  SIGNED_SOURCE_KINDS,
  SOURCE_KINDS,
  type SourceKind,
  sourcePathProblem,
  sourceUrlProblem,
} from '../../server/sources/kinds.ts';
import { SettingsError, validate } from '../../server/sync/settings.ts';

/** What the configuration says first about this source (the settings stop at the first), or null. */
function configVerdict(kind: SourceKind, url: string, sourcePath: string): string | null {
  try {
    loadConfig({
      KUBECONFIG: '/tmp/kc.yaml',
      OUTPOST_SOURCE_KIND: kind,
      OUTPOST_SOURCE_URL: url,
      OUTPOST_SOURCE_PATH: sourcePath,
    });
    return null;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const mine = err.problems.filter((p) => /^OUTPOST_SOURCE_(URL|PATH):/.test(p));
    return mine[0]?.replace(/^OUTPOST_SOURCE_\w+: /, '') ?? null;
  }
}

/** What the console's settings say about the same source. */
function settingsVerdict(kind: SourceKind, url: string, sourcePath: string): string | null {
  try {
    validate('source', { kind, url, path: sourcePath });
    return null;
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    return err.message;
  }
}

const URLS = [
  'https://git.example/fleet.git',
  'http://127.0.0.1:8080/bundle.tar.gz',
  'https://',
  'https:// spaced.example/x',
  'git@github.com:acme/fleet.git',
  'oci://registry.example/fleet/site:v1',
  'oci+http://127.0.0.1:5000/fleet/site@sha256:abc',
  'oci://registry.example',
  'oci://registry.example/has space',
  '/srv/fleet',
];
const PATHS = ['.', 'sites/berlin', '../etc', '/etc', 'C:\\fleet', 'a/../../b'];

test('the configuration and the console settings give the same verdict on every source address and path', () => {
  // `upload` takes its directory from the data dir in the configuration, so only the URL-bearing kinds compare.
  for (const kind of SOURCE_KINDS.filter((k) => k !== 'upload')) {
    for (const url of URLS) {
      for (const p of PATHS) {
        assert.equal(
          configVerdict(kind, url, p),
          settingsVerdict(kind, url, p),
          `${kind} ${JSON.stringify(url)} path ${JSON.stringify(p)}`,
        );
      }
    }
  }
});

test('git and http take an http(s) URL with a host; oci an oci:// reference with a repository', () => {
  assert.equal(sourceUrlProblem('git', 'https://git.example/fleet.git'), null);
  assert.match(sourceUrlProblem('git', 'https://') ?? '', /http:\/\/ or https:\/\//);
  assert.match(sourceUrlProblem('http', 'ftp://x/y') ?? '', /http:\/\/ or https:\/\//);
  assert.equal(sourceUrlProblem('oci', 'oci://registry.example/fleet/site:v1'), null);
  assert.match(sourceUrlProblem('oci', 'oci://registry.example') ?? '', /looks like oci:\/\//);
  assert.equal(sourceUrlProblem('dir', '/srv/fleet'), null);
  assert.match(sourceUrlProblem('dir', '  ') ?? '', /say where/);
});

test('a source path is relative and stays inside the source on every platform', () => {
  assert.equal(sourcePathProblem('sites/berlin'), null);
  for (const p of ['/etc', 'C:\\fleet', '\\\\server\\share', '../x', 'a\\..\\..\\b'])
    assert.notEqual(sourcePathProblem(p), null, p);
});

test('the signed kinds are the bundle kinds, and every signed kind is a source kind', () => {
  assert.deepEqual([...SIGNED_SOURCE_KINDS].sort(), ['http', 'oci', 'upload']);
  for (const k of SIGNED_SOURCE_KINDS) assert.ok(SOURCE_KINDS.includes(k));
  assert.equal(isSignedKind('git'), false);
  assert.equal(isSignedKind('dir'), false);
  assert.equal(isSignedKind('__proto__'), false);
  assert.equal(isSignedKind(undefined), false);
});
