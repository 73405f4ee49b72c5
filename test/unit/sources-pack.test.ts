// The git pack check: declared sizes, delta results, object counts and totals refused before anything inflates.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { checkPack, MAX_ANSWER_LINES, maxPackObjects, reframeUploadPack } from '../../server/sources/pack.ts';
import { FetchError } from '../../server/sources/types.ts';

const LIMITS = { maxObjectBytes: 1024, maxTotalBytes: 4096, maxFiles: 10 };
const BLOB = 3;
const REF_DELTA = 7;

/** An object header: type, then the size as git writes it (4 bits, then 7 per byte), computed without bit ops. */
function header(type: number, size: number): Buffer {
  const bytes = [(type << 4) | (size % 16)];
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes[bytes.length - 1] = (bytes.at(-1) as number) | 0x80;
    bytes.push(rest % 128);
    rest = Math.floor(rest / 128);
  }
  return Buffer.from(bytes);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  do {
    bytes.push((n % 128) | (n >= 128 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return Buffer.from(bytes);
}

function pack(objects: Buffer[], count = objects.length): Buffer {
  const head = Buffer.alloc(12);
  head.write('PACK', 0, 'latin1');
  head.writeUInt32BE(2, 4);
  head.writeUInt32BE(count, 8);
  return Buffer.concat([head, ...objects, Buffer.alloc(20)]);
}

const blob = (data: Buffer, declared = data.length) =>
  Buffer.concat([header(BLOB, declared), deflateSync(data)]);

function refused(p: Buffer, pattern: RegExp) {
  assert.throws(
    () => checkPack(p, 'fleet.git (main)', LIMITS),
    (err: unknown) => err instanceof FetchError && pattern.test(err.message),
  );
}

test('checkPack accepts objects within the limits', () => {
  checkPack(pack([blob(Buffer.from('kind: ConfigMap\n')), blob(Buffer.alloc(1024))]), 'x', LIMITS);
});

test('checkPack refuses a blob declared over the per-object limit without inflating it', () => {
  // The "deflated" data is not zlib at all: only the header can have been read.
  const p = pack([Buffer.concat([header(BLOB, 734003200), Buffer.from('not zlib')])]);
  refused(
    p,
    /^fleet\.git \(main\): the repository holds a blob of 734003200 bytes \(pack object at offset 12\), over the 1024-byte limit per file/,
  );
});

test('checkPack reads sizes past 2^32 exactly instead of wrapping them to a small number', () => {
  refused(
    pack([Buffer.concat([header(BLOB, 2 ** 32 + 5), deflateSync(Buffer.alloc(5))])]),
    /blob of 4294967301 bytes/,
  );
});

test('checkPack refuses an object that inflates past its declared size, stopping one byte over', () => {
  refused(pack([blob(Buffer.alloc(100_000), 10)]), /offset 12 does not inflate to its declared 10 bytes/);
});

test('checkPack refuses a delta that would rebuild an object over the limit', () => {
  const base = blob(Buffer.from('base'));
  const delta = Buffer.concat([varint(4), varint(700 * 1024 * 1024), Buffer.from([0x90, 0x04])]);
  const d = Buffer.concat([header(REF_DELTA, delta.length), Buffer.alloc(20, 0xab), deflateSync(delta)]);
  refused(pack([base, d]), /holds a delta-encoded object of 734003200 bytes \(pack object at offset \d+\)/);
});

test('checkPack refuses more objects than a tree within the file limit needs, and too many bytes in all', () => {
  refused(
    pack([], maxPackObjects(LIMITS) + 1),
    /the pack holds 37 objects, more than the 36 a tree of at most 10 files needs/,
  );
  const five = Array.from({ length: 5 }, () => blob(Buffer.alloc(1000)));
  refused(pack(five), /the pack's objects come to more than 4096 bytes/);
});

test('checkPack refuses a truncated pack and something that is not a pack', () => {
  const cut = pack([blob(Buffer.from('a'))], 3);
  refused(cut.subarray(0, cut.length - 20), /the pack is truncated \(object 2 of 3\)/);
  refused(Buffer.from('PACK\0\0\0\x03\0\0\0\x01'), /not a version 2 git pack/);
});

test('checkPack accepts a real pack made by git, deltas included', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-pack-'));
  try {
    const git = (...args: string[]) =>
      spawnSync('git', args, {
        cwd: dir,
        encoding: 'buffer',
        env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' },
      });
    git('init', '-q');
    const text = Array.from({ length: 200 }, (_, i) => `line ${i}\n`).join('');
    const blobs = [text, `${text}one more\n`].map((t) =>
      spawnSync('git', ['hash-object', '-w', '--stdin'], {
        cwd: dir,
        input: t,
        encoding: 'utf8',
      }).stdout.trim(),
    );
    const out = spawnSync('git', ['pack-objects', '--stdout', '--delta-base-offset'], {
      cwd: dir,
      input: `${blobs.join('\n')}\n`,
    }).stdout;
    writeFileSync(path.join(dir, 'p.pack'), out);
    git('index-pack', 'p.pack');
    assert.match(git('verify-pack', '-v', 'p.idx').stdout.toString(), /chain length = 1: 1 object/);
    checkPack(out, 'x', { ...LIMITS, maxObjectBytes: 4096 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const line = (payload: Buffer | string) => {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'latin1');
  return Buffer.concat([Buffer.from((data.length + 4).toString(16).padStart(4, '0'), 'latin1'), data]);
};

test('reframeUploadPack keeps protocol lines and the pack, drops progress, and re-cuts the pack into 64 KB lines', () => {
  const data = Buffer.alloc(200_000, 7);
  const body = Buffer.concat([
    line('shallow 0123\n'),
    Buffer.from('0000'),
    line('NAK\n'),
    line('\x02Counting objects\n'),
    // Cut as finely as a hostile server might: 1,000 bytes a line.
    ...Array.from({ length: 200 }, (_, i) =>
      line(Buffer.concat([Buffer.from([1]), data.subarray(i * 1000, (i + 1) * 1000)])),
    ),
    Buffer.from('0000'),
  ]);
  const { pack, answer } = reframeUploadPack(body, 'x');
  assert.ok(pack.equals(data));
  const expected = Buffer.concat([
    line('shallow 0123\n'),
    line('NAK\n'),
    line(Buffer.concat([Buffer.from([1]), data.subarray(0, 65_515)])),
    line(Buffer.concat([Buffer.from([1]), data.subarray(65_515, 131_030)])),
    line(Buffer.concat([Buffer.from([1]), data.subarray(131_030, 196_545)])),
    line(Buffer.concat([Buffer.from([1]), data.subarray(196_545)])),
    Buffer.from('0000'),
  ]);
  assert.ok(answer.equals(expected));
});

test('reframeUploadPack refuses an answer cut into more pkt-lines than any real one, and broken framing', () => {
  const progress = line('\x02.');
  const body = Buffer.alloc(progress.length * (MAX_ANSWER_LINES + 1)).fill(progress);
  assert.throws(
    () => reframeUploadPack(body, 'fleet.git (main)'),
    /^FetchError: fleet\.git \(main\): the server's answer comes in more than 100000 pieces \(pkt-lines\); refused$/,
  );
  assert.throws(() => reframeUploadPack(Buffer.from('zzzz'), 'x'), /not git pkt-line framing at byte 0/);
  assert.throws(() => reframeUploadPack(Buffer.from('00ffshort'), 'x'), /cut short or garbled at byte 0/);
});
