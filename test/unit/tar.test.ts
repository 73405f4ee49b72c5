// The tar.gz reader and writer: reads what GNU tar writes, writes what GNU tar reads, refuses anything unsafe.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readTarGz, TarError, writeTarGz } from '../../server/sources/tar.ts';
import { asText } from '../support/tree.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'outpost-tar-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const LIMITS = { maxFiles: 50, maxFileBytes: 64 * 1024, maxTotalBytes: 256 * 1024 };

function tar(...args: string[]): string {
  const r = spawnSync('tar', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** A folder with files (and optional extras made by a callback), packed by GNU tar as `tar czf x -C dir .`. */
function gnuTar(name: string, files: Record<string, string>, format?: string, extra?: (dir: string) => void) {
  const dir = path.join(tmp, name);
  for (const [f, c] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), c);
  }
  extra?.(dir);
  const out = path.join(tmp, `${name}.tar.gz`);
  tar('czf', out, ...(format ? [`--format=${format}`] : []), '-C', dir, '.');
  return readFileSync(out);
}

/** A raw tar entry with any type flag, for entries GNU tar will not make from a folder (devices, "..", "/"). */
function rawEntry(name: string, type: string, data = '', linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${Buffer.byteLength(data).toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write(type, 156);
  h.write(linkname, 157, 100);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] as number);
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const body = Buffer.from(data);
  return Buffer.concat([h, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

function rawTarGz(...entries: Buffer[]): Buffer {
  return gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]));
}

function rejects(gz: Buffer, pattern: RegExp, limits = LIMITS) {
  assert.throws(
    () => readTarGz(gz, 'site.tar.gz', limits),
    (err: unknown) =>
      err instanceof TarError && pattern.test(err.message) && err.message.includes('site.tar.gz'),
  );
}

const LONG = `${'deep/'.repeat(25)}config.yaml`;

test('tar reader reads what `tar czf bundle.tar.gz -C dir .` writes, in gnu, pax and default formats', () => {
  for (const format of [undefined, 'gnu', 'pax', 'ustar']) {
    const files = { 'a.yaml': 'a: 1\n', 'sites/berlin/kustomization.yaml': 'resources: []\n' };
    if (format !== 'ustar') Object.assign(files, { [LONG]: 'long: true\n' });
    const { files: got } = readTarGz(gnuTar(`fmt-${format}`, files, format), 'site.tar.gz', LIMITS);
    assert.deepEqual(asText(got), files, `format ${format}`);
  }
});

test('tar writer makes the same bytes for the same files, and GNU tar lists and extracts them', () => {
  const files = { 'z.yaml': 'z\n', 'a/b.yaml': 'b\n', [LONG]: 'long\n' };
  const one = writeTarGz(files, 'outpost-bundle version=4');
  const two = writeTarGz(
    { [LONG]: 'long\n', 'a/b.yaml': 'b\n', 'z.yaml': 'z\n' },
    'outpost-bundle version=4',
  );
  assert.ok(one.equals(two));
  const file = path.join(tmp, 'ours.tar.gz');
  writeFileSync(file, one);
  const listed = tar('tzvf', file).trim().split('\n');
  assert.ok(listed.some((l) => l.endsWith(LONG)));
  assert.ok(
    listed.every((l) => l.includes(' 0/0 ') && l.includes('1970-01-01 00:00')),
    listed.join('\n'),
  );
  const out = path.join(tmp, 'extracted');
  mkdirSync(out);
  tar('xzf', file, '-C', out);
  assert.equal(readFileSync(path.join(out, LONG), 'utf8'), 'long\n');
  const back = readTarGz(one, 'ours', LIMITS);
  assert.deepEqual({ ...back, files: asText(back.files) }, { files, comment: 'outpost-bundle version=4' });
});

test('tar reader refuses an absolute path and names the entry', () => {
  rejects(
    rawTarGz(rawEntry('/etc/cron.d/evil', '0', 'x')),
    /entry "\/etc\/cron.d\/evil" is an absolute path/,
  );
});

test('tar reader refuses a path that climbs out with ".." and names the entry', () => {
  rejects(
    rawTarGz(rawEntry('./sites/../../etc/passwd', '0', 'x')),
    /"\.\/sites\/\.\.\/\.\.\/etc\/passwd" points outside/,
  );
});

test('tar reader refuses a symbolic link made by GNU tar that leaves the bundle, and names it', () => {
  const gz = gnuTar('symlink', { 'a.yaml': 'a' }, undefined, (dir) =>
    symlinkSync('/etc/passwd', path.join(dir, 'link.yaml')),
  );
  rejects(gz, /"link\.yaml" is a symbolic link to "\/etc\/passwd", outside the revision/);
});

test('tar reader follows a symbolic link inside the bundle, to a file or a folder', () => {
  const gz = gnuTar('symlink-inside', { 'base/a.yaml': 'a' }, undefined, (dir) => {
    symlinkSync('base/a.yaml', path.join(dir, 'alias.yaml'));
    symlinkSync('base', path.join(dir, 'shared'));
  });
  const got = asText(readTarGz(gz, 'inside.tar.gz', LIMITS).files);
  assert.equal(got['alias.yaml'], 'a');
  assert.equal(got['shared/a.yaml'], 'a');
});

test('tar reader refuses a hard link and names it', () => {
  rejects(
    rawTarGz(rawEntry('a.yaml', '0', 'a'), rawEntry('b.yaml', '1', '', 'a.yaml')),
    /entry "b\.yaml" is a hard link/,
  );
});

test('tar reader refuses device and fifo entries and names them', () => {
  rejects(rawTarGz(rawEntry('dev/sda', '4')), /entry "dev\/sda" is a block device/);
  rejects(rawTarGz(rawEntry('dev/tty', '3')), /entry "dev\/tty" is a character device/);
  rejects(rawTarGz(rawEntry('pipe', '6')), /entry "pipe" is a named pipe/);
});

test('tar reader stops at the file-count limit', () => {
  const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}.yaml`, 'x']));
  rejects(writeTarGz(many), /more than 50 files/);
});

test('tar reader keeps a file of any size as bytes and refuses a tree over the total limit', () => {
  // A file's own size counts only when a render reads it (render/tree.ts).
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, ...Array(100 * 1024).fill(0)]);
  const got = readTarGz(writeTarGz({ 'docs/big.png': png }), 'png.tar.gz', LIMITS);
  assert.deepEqual(Buffer.from(got.files['docs/big.png'] as Uint8Array), png);
  const five = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}.yaml`, 'x'.repeat(60 * 1024)]));
  rejects(writeTarGz(five), /more than 262144 bytes of files/);
});

test('tar reader refuses a small download that unpacks huge (compression bomb)', () => {
  const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
  assert.ok(bomb.length < 64 * 1024);
  rejects(bomb, /unpacks to more than \d+ bytes/);
});

test('tar reader reports a file that is not gzip, a truncated gzip and a truncated tar', () => {
  rejects(Buffer.from('<html>502 Bad Gateway</html>'), /not a readable gzip file/);
  const good = writeTarGz({ 'a.yaml': 'x'.repeat(5000) });
  rejects(good.subarray(0, good.length - 20), /not a readable gzip file \(unexpected end of file\)/);
  const header = rawEntry('a.yaml', '0', 'y'.repeat(2000)).subarray(0, 1024);
  rejects(gzipSync(header), /archive is truncated inside entry "a\.yaml"/);
});

test('tar reader refuses a damaged header and a duplicated entry', () => {
  const entry = rawEntry('a.yaml', '0', 'a');
  entry.write('9', 100); // mode field changes, checksum does not
  rejects(rawTarGz(entry), /header of entry "a\.yaml" at byte 0 is damaged/);
  rejects(
    rawTarGz(rawEntry('a.yaml', '0', 'a'), rawEntry('./a.yaml', '0', 'b')),
    /entry "\.\/a\.yaml" appears twice/,
  );
});

test('tar reader keeps entries named constructor, prototype or toString as ordinary files', () => {
  const files = {
    constructor: 'a: 1\n',
    'sub/prototype': 'b: 2\n',
    toString: 'c: 3\n',
    'constructor.yaml': 'd\n',
  };
  const got = readTarGz(writeTarGz(files), 'names.tar.gz', LIMITS);
  assert.deepEqual(asText(got.files), files);
});

test('tar reader refuses a file or folder named __proto__ by name instead of calling it a duplicate', () => {
  for (const name of ['__proto__', 'base/__proto__/app.yaml']) {
    // A computed key makes an own property; a literal `__proto__:` would set the prototype instead.
    const gz = writeTarGz({ [name]: 'kind: ConfigMap\n', 'app.yaml': 'kind: ConfigMap\n' });
    assert.throws(
      () => readTarGz(gz, 'proto.tar.gz', LIMITS),
      (err: unknown) =>
        err instanceof TarError &&
        err.entry === name &&
        err.message ===
          `bundle proto.tar.gz: entry "${name}": no file or folder may be named __proto__ (the name is reserved by JavaScript, which Outpost runs on); rename it`,
    );
  }
});
