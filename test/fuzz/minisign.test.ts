// Fuzzing the minisign parsers (server/sources/minisign.ts) and the signed comment (server/sources/verify.ts):
// hostile key and signature files fail only with a MinisignError, genuine signatures over any data and comment
// verify, a damaged one never verifies as something else, and the comment's pairs are read as written.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {
  MinisignError,
  parsePublicKey,
  parseSecretKey,
  parseSignature,
  signData,
  verifySignature,
} from '../../server/sources/minisign.ts';
import { parseTrustedComment, VerifyError, verifyBundleSignature } from '../../server/sources/verify.ts';
import { fuzz, guarded } from '../support/fuzz.ts';
import { hostileString, NON_UTF8, oddString, PROTO_KEYS } from '../support/hostile.ts';
import { makeKeyPair } from '../support/minisign.ts';

/** A key pair made by `minisign` itself, read through our parser (which the properties then rely on). */
function keys() {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-fuzz-minisign-'));
  const pair = makeKeyPair(dir, 'fuzz');
  const sk = parseSecretKey(readFileSync(pair.sec, 'utf8'));
  return { sk, pk: sk.publicKey, close: () => rmSync(dir, { recursive: true, force: true }) };
}

/** base64 of bytes that start like the real thing (`Ed`, `ED`) and are about the right length. */
const b64 = fc
  .tuple(
    fc.constantFrom('Ed', 'ED', 'Sc', '\0\0', ''),
    fc.constantFrom(40, 42, 72, 74, 62, 64, 156, 158, 160, 0, 1000),
    fc.integer({ min: -2, max: 2 }),
  )
  .map(([head, n, d]) =>
    Buffer.concat([Buffer.from(head, 'latin1'), Buffer.alloc(Math.max(0, n + d - head.length), 7)]).toString(
      'base64',
    ),
  );

const line = fc.oneof(
  b64,
  b64.map((s) => `${s}=`),
  b64.map((s) => ` ${s} `),
  fc.constantFrom('untrusted comment: ', 'trusted comment: ', 'untrusted comment:', ''),
  fc.tuple(fc.constantFrom('untrusted comment: ', 'trusted comment: '), hostileString).map(([p, s]) => p + s),
  fc.constantFrom(...NON_UTF8).map((b) => b.toString('latin1')),
  oddString(20),
);

const hostileFile = fc
  .tuple(fc.array(line, { maxLength: 6 }), fc.constantFrom('\n', '\r\n', '\r', '\n\n'))
  .map(([ls, nl]) => ls.join(nl));

/** A trusted comment minisign would sign: one line, tabs allowed, no other control characters. */
const comment = fc
  .array(
    fc.oneof(
      fc
        .tuple(fc.constantFrom('version', 'expires', ...PROTO_KEYS), hostileString)
        .map(([k, v]) => `${k}=${v}`),
      hostileString,
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(' '));

fuzz(import.meta.url, {
  'the minisign parsers fail only with a MinisignError on hostile files': {
    runs: 600,
    build: () => ({
      property: fc.property(hostileFile, (text) =>
        guarded(text, [MinisignError], () => {
          for (const parse of [parseSignature, parsePublicKey, parseSecretKey]) {
            try {
              parse(text);
            } catch (err) {
              if (!(err instanceof MinisignError)) throw err;
            }
          }
        }),
      ),
    }),
  },

  'a genuine signature over any data and comment verifies; a damaged one never verifies as something else': {
    runs: 150,
    build: () => {
      const k = keys();
      return {
        close: k.close,
        property: fc.property(
          fc.uint8Array({ maxLength: 256 }),
          comment,
          fc.boolean(),
          fc.option(fc.tuple(fc.nat(), fc.integer({ min: 32, max: 126 })), { nil: undefined }),
          (bytes, c, legacy, flip) =>
            guarded({ bytes, comment: c, legacy, flip }, [MinisignError], () => {
              const data = Buffer.from(bytes);
              // biome-ignore lint/suspicious/noControlCharactersInRegex: what minisign refuses in a comment.
              const refusable = /[\u0000-\u0008\u000a-\u001f\u007f]/.test(c);
              let text: string;
              try {
                text = signData(data, k.sk, c, { legacy });
              } catch (err) {
                assert.ok(
                  refusable,
                  `a comment without control characters was refused: ${(err as Error).message}`,
                );
                throw err;
              }
              assert.ok(!refusable, 'a comment with control characters was signed');
              const genuine = parseSignature(text);
              assert.equal(genuine.trustedComment, c);
              assert.equal(verifySignature(data, genuine, [k.pk]), k.pk);
              if (!flip) return;
              // Damage one character after the untrusted comment: it must fail, or read back as the same thing.
              const start = text.indexOf('\n') + 1;
              const at = start + (flip[0] % (text.length - start));
              if (text[at] === '\n') return;
              const damaged = text.slice(0, at) + String.fromCharCode(flip[1]) + text.slice(at + 1);
              const sig = parseSignature(damaged);
              verifySignature(data, sig, [k.pk]);
              assert.deepEqual(
                [sig.keyId, sig.signature, sig.trustedComment, sig.globalSignature],
                [genuine.keyId, genuine.signature, genuine.trustedComment, genuine.globalSignature],
                'a damaged signature verified with different content',
              );
            }),
        ),
      };
    },
  },

  'a signed bundle with any trusted comment is accepted or refused with a VerifyError': {
    runs: 150,
    build: () => {
      const k = keys();
      return {
        close: k.close,
        property: fc.property(comment, (c) =>
          guarded(c, [VerifyError, MinisignError], () => {
            const data = Buffer.from('bundle');
            const text = signData(data, k.sk, c);
            verifyBundleSignature('b.tar.gz', data, text, 'b.tar.gz.minisig', {
              trustedKeys: [k.pk],
              requireSignature: true,
            });
          }),
        ),
      };
    },
  },

  'the trusted comment reads every key=value pair as written, the first of a repeated key winning; __proto__ is dropped':
    {
      runs: 300,
      build: () => ({
        property: fc.property(
          fc.uniqueArray(
            fc.tuple(
              fc.oneof(
                fc.constantFrom('version', 'expires', ...PROTO_KEYS),
                fc.stringMatching(/^[a-z_]{1,8}$/),
              ),
              fc.stringMatching(/^[^\s=]{0,10}$/),
            ),
            { maxLength: 5, selector: ([key]) => key },
          ),
          (pairs) =>
            guarded(pairs, [], () => {
              const fields = parseTrustedComment(
                [...pairs, ...pairs.map(([key]) => [key, 'later'])]
                  .map(([key, v]) => `${key}=${v}`)
                  .join(' '),
              );
              // `__proto__=` is dropped on purpose: no key of a signed comment may become a prototype.
              const kept = pairs.filter(([key]) => key !== '__proto__');
              assert.deepEqual(Object.keys(fields).sort(), kept.map(([key]) => key).sort());
              for (const [key, v] of kept)
                assert.equal(Object.getOwnPropertyDescriptor(fields, key)?.value, v, key);
              assert.equal(
                Object.getPrototypeOf(fields) === Object.prototype || Object.getPrototypeOf(fields) === null,
                true,
              );
            }),
        ),
      }),
    },
});
