// The dir source: a local folder read whole, with the same file-name rules as every other source.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { render } from '../../server/render/index.ts';
import { dirSource } from '../../server/sources/dir.ts';
import { FetchError } from '../../server/sources/types.ts';
import { asText } from '../support/tree.ts';

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
  assert.equal(asText(got.files).constructor, '# constructor\n');
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

test('dir source keeps a 5 MB PNG no build reads, follows a link inside, and the tree renders', async () => {
  const root = path.join(tmp, 'repo');
  mkdirSync(path.join(root, 'docs'), { recursive: true });
  mkdirSync(path.join(root, 'base'), { recursive: true });
  const png = Buffer.alloc(5 * 1024 * 1024, 0xff);
  png.set([0x89, 0x50, 0x4e, 0x47]);
  writeFileSync(path.join(root, 'docs', 'diagram.png'), png);
  writeFileSync(
    path.join(root, 'base', 'cm.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
  );
  writeFileSync(path.join(root, 'base', 'kustomization.yaml'), 'resources: [cm.yaml]\n');
  writeFileSync(path.join(root, 'logo.bin'), Buffer.from([0xc3, 0x28, 0x00]));
  symlinkSync('base', path.join(root, 'shared'));
  writeFileSync(
    path.join(root, 'kustomization.yaml'),
    'resources: [shared]\nconfigMapGenerator:\n  - name: logo\n    files: [logo.bin]\n',
  );
  const { files } = await dirSource(root).fetch();
  assert.equal((files['docs/diagram.png'] as Uint8Array).byteLength, png.length);
  assert.ok(Object.hasOwn(files, 'shared/cm.yaml'));
  const objects = render(files, '.');
  // As kubectl kustomize renders the same folder.
  assert.deepEqual(objects.map((o) => o.metadata.name).sort(), ['a', 'logo-9tf6k982m6']);
  const logo = objects.find((o) => o.metadata.name.startsWith('logo-')) as {
    binaryData?: Record<string, string>;
  };
  assert.deepEqual(logo.binaryData, { 'logo.bin': 'wygA' });
});

test('dir source refuses a link that leaves the folder, naming it', async () => {
  const root = folder('escape', ['app.yaml']);
  symlinkSync('/etc/passwd', path.join(root, 'passwd.yaml'));
  await assert.rejects(dirSource(root).fetch(), (err: unknown) => {
    assert.ok(err instanceof FetchError);
    assert.match(err.message, /^passwd\.yaml: a symbolic link to "\/etc\/passwd", outside /);
    return true;
  });
});
