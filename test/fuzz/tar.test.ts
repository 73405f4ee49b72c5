// Fuzzing the tar reader (server/sources/tar.ts): damaged, truncated and hostile archives fail only with a
// TarError inside the memory budget; any set of safe file names, prototype keys included, round-trips — except
// a `__proto__` segment, which every source refuses by name (docs/sources-security.md).
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { readTar, readTarGz, TarError, writeTarGz } from '../../server/sources/tar.ts';
import { fuzz, guarded } from '../support/fuzz.ts';
import { hostileString, NON_UTF8, PATHS, PROTO_KEYS } from '../support/hostile.ts';

const LIMITS = { maxFiles: 200, maxFileBytes: 256 * 1024, maxTotalBytes: 1024 * 1024 };

/** One path segment that a bundle may hold: never empty, `.` or `..`, no slash, no NUL. */
const segment = fc
  .oneof(
    { weight: 3, arbitrary: fc.constantFrom(...PROTO_KEYS) },
    { weight: 3, arbitrary: fc.constantFrom('a', 'b.yaml', 'kustomization.yaml', 'x y', 'é', '中文', '-') },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.string({ minLength: 90, maxLength: 120 }) },
  )
  .filter((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('/') && !s.includes('\u0000'))
  // The reader reads names as UTF-8: a lone surrogate cannot survive the trip, and is not a name to test.
  .filter((s) => s.isWellFormed());

const safeName = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));

/** Distinct names, none a folder of another (a bundle cannot hold both `a` and `a/b`). */
const safeTree = fc
  .uniqueArray(
    fc.tuple(
      safeName,
      fc.string({ maxLength: 50 }).filter((s) => s.isWellFormed()),
    ),
    {
      minLength: 1,
      maxLength: 6,
      selector: ([n]) => n,
    },
  )
  .filter((pairs) => !pairs.some(([a]) => pairs.some(([b]) => b.startsWith(`${a}/`))));

function entry(name: string, type: string, data: Buffer, size = data.length): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'latin1');
  h.write('0000644\0', 100, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write(type, 156, 'latin1');
  h.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] as number);
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, data, pad]);
}

const rawEntry = fc.oneof(
  fc
    .tuple(
      fc.oneof(hostileString, fc.constantFrom(...PATHS), fc.constantFrom(...PROTO_KEYS)),
      fc.constantFrom('0', '\0', '5', '1', '2', '3', '6', '7', 'x', 'g', 'L', 'K', 'S', 'V'),
      fc.oneof(
        fc.string({ maxLength: 40 }).map((s) => Buffer.from(s)),
        fc.constantFrom(...NON_UTF8),
        // pax records, well formed or not, naming prototype keys and huge sizes
        fc
          .tuple(
            fc.constantFrom('path', 'size', 'comment', '__proto__', 'constructor', 'linkpath'),
            hostileString,
          )
          .map(([k, v]) => {
            const body = ` ${k}=${v}\n`;
            let n = Buffer.byteLength(body);
            while (String(n).length + Buffer.byteLength(body) !== n) n++;
            return Buffer.from(`${n}${body}`);
          }),
        fc.constantFrom(
          Buffer.from('99999999999 path=x\n'),
          Buffer.from('0 a=b\n'),
          Buffer.from('12 size=-1\n'),
        ),
      ),
    )
    .map(([name, type, data]) => entry(name, type, data)),
  // a size field that lies
  fc
    .tuple(fc.constantFrom(...PROTO_KEYS), fc.constantFrom(0, 1, 2 ** 33, 8 ** 11 - 1))
    .map(([name, size]) => entry(name, '0', Buffer.from('x'), size)),
);

/** Archives: our own writer's output, raw hostile entries, and both with bytes flipped or cut. */
const archive = fc.oneof(
  safeTree.map((pairs) => gunzipSync(writeTarGz(Object.fromEntries(pairs)))),
  fc.array(rawEntry, { minLength: 1, maxLength: 5 }).map((es) => Buffer.concat([...es, Buffer.alloc(1024)])),
);

const mutated = fc
  .tuple(
    archive,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    fc.option(fc.nat()),
  )
  .map(([tar, flips, cut]) => {
    const out = Buffer.from(tar);
    for (const [at, b] of flips) out[at % out.length] = b;
    return cut === null ? out : out.subarray(0, cut % (out.length + 1));
  });

fuzz(import.meta.url, {
  'the tar reader fails only with a TarError on damaged and hostile archives': {
    runs: 500,
    heapMb: 128,
    build: () => ({
      property: fc.property(mutated, fc.boolean(), (tar, gz) =>
        guarded(tar.toString('base64'), [TarError], () => {
          if (gz) readTarGz(gzipSync(tar), 'fuzz.tar.gz', LIMITS);
          else readTar(tar, 'fuzz.tar', LIMITS);
        }),
      ),
    }),
  },

  'any set of safe file names round-trips through the writer and the reader; a __proto__ segment is refused by name':
    {
      runs: 300,
      build: () => ({
        property: fc.property(
          safeTree,
          fc.option(
            fc.string({ maxLength: 30 }).filter((s) => s.isWellFormed()),
            { nil: undefined },
          ),
          (pairs, comment) =>
            guarded({ files: pairs, comment }, [], () => {
              const files: Record<string, string> = {};
              for (const [n, c] of pairs) Object.defineProperty(files, n, { value: c, enumerable: true });
              const archive = writeTarGz(files, comment);
              if (pairs.some(([n]) => n.split('/').includes('__proto__'))) {
                assert.throws(
                  () => readTarGz(archive, 'fuzz.tar.gz', LIMITS),
                  (err: unknown) => err instanceof TarError && /may be named __proto__/.test(err.message),
                );
                return;
              }
              const back = readTarGz(archive, 'fuzz.tar.gz', LIMITS);
              assert.deepEqual(Object.keys(back.files).sort(), pairs.map(([n]) => n).sort());
              for (const [n, c] of pairs)
                assert.equal(
                  Buffer.from(Object.getOwnPropertyDescriptor(back.files, n)?.value).toString('utf8'),
                  c,
                  n,
                );
              assert.equal(back.comment, comment);
            }),
        ),
      }),
    },
});
