// Property tests (seeded, bounded) for the console's header parsers: Cookie, Host, Accept-Language, next=.
// Whatever the header holds they never throw, never touch Object.prototype, and keep their promises.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseCookies } from '../../server/web/cookies.ts';
import { fromAcceptLanguage } from '../../server/web/i18n/index.ts';
import { safeNext, withoutToken } from '../../server/web/middleware/auth.ts';
import { hostMatcher, parseHostHeader } from '../../server/web/middleware/host-check.ts';

const RUNS = { seed: 20261202, numRuns: 500 };
/** Header-like text: the characters that matter to these parsers, more often than chance would give them. */
const headerText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(';', '=', ',', ':', '[', ']', '%', '"', ' ', '.', '/', '?', '&', '\r', '\n', '\0'),
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'token',
      'outpost_csrf',
      '%E0%A4%A',
      'localhost',
    ),
    fc.string({ unit: 'grapheme', maxLength: 3 }),
  ),
  maxLength: 60,
});

function prototypeUnchanged(): void {
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTO_KEYS);
}
const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

test('parseCookies never throws, yields only valid names, and a cookie it writes reads back', () => {
  fc.assert(
    fc.property(
      headerText,
      fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/),
      fc.string({ maxLength: 30 }),
      (h, name, value) => {
        const c = parseCookies(h);
        for (const k of c.keys()) assert.match(k, /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/);
        const again = parseCookies(`${name}=${encodeURIComponent(value)}; ${h}`);
        assert.equal(again.get(name), value);
        prototypeUnchanged();
      },
    ),
    RUNS,
  );
});

test('parseHostHeader and the matcher never throw and never let a name with a foreign suffix through', () => {
  const allowed = hostMatcher({ nodeName: 'gw-17', allowedHosts: ['console.plant.example'] });
  fc.assert(
    fc.property(headerText, (h) => {
      parseHostHeader(h);
      if (allowed(h)) {
        const t = parseHostHeader(h);
        assert.ok(t !== null);
      }
      assert.equal(allowed(`${h}.evil.example`), false);
      prototypeUnchanged();
    }),
    RUNS,
  );
});

test('safeNext always gives a path on this console without a token; fromAcceptLanguage never throws', () => {
  fc.assert(
    fc.property(headerText, (h) => {
      for (const next of [h, `/${h}`, `/runs?${h}`]) {
        const out = safeNext(next);
        assert.ok(out.startsWith('/') && !out.startsWith('//'), out);
        const q = out.indexOf('?');
        assert.ok(q < 0 || !new URLSearchParams(out.slice(q + 1)).has('token'), out);
        assert.equal(withoutToken(out), out);
      }
      fromAcceptLanguage(h);
      prototypeUnchanged();
    }),
    RUNS,
  );
});
