// The dir source: a local folder read whole, with the same file-name rules as every other source.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { dirSource } from '../../server/sources/dir.ts';
import { FetchError } from '../../server/sources/types.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-dir-src-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function folder(name: string, files: string[]): string {
  const root = path.join(tmp, name);
  for (const f of files) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), `# ${f}\n`);
  }
  return root;
}

test('dir source keeps files named constructor or prototype as ordinary files', async () => {
  const root = folder('names', ['constructor', 'base/prototype', 'app.yaml']);
  const got = await dirSource(root).fetch();
  assert.deepEqual(Object.keys(got.files).sort(), ['app.yaml', 'base/prototype', 'constructor']);
  assert.equal(got.files.constructor, '# constructor\n');
});

test('dir source refuses a file or folder named __proto__ by name', async () => {
  for (const [name, file] of [
    ['file', '__proto__'],
    ['folder', '__proto__/app.yaml'],
  ] as const) {
    const root = folder(`proto-${name}`, [file, 'app.yaml']);
    await assert.rejects(
      dirSource(root).fetch(),
      (err: unknown) =>
        err instanceof FetchError &&
        err.message ===
          `${root}: "__proto__": no file or folder may be named __proto__ (the name is reserved by JavaScript, which Outpost runs on); rename it`,
    );
  }
});
