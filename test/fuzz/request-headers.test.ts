// Fuzzing cookie and header parsing at the route level (today in server/web/middleware/csrf.ts and locale.ts):
// a request with any Cookie, Accept-Language, Origin or htmx header is never answered with a 500, signed in or
// not, and no prototype is touched. Written against routes so it holds whichever module parses cookies.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzz, guardedAsync } from '../support/fuzz.ts';
import { fuzzConsole } from '../support/fuzz-console.ts';
import { hostileString, PROTO_KEYS } from '../support/hostile.ts';

/** What a header value may hold on the wire: tab, printable ASCII and latin-1 bytes (non-UTF-8 included). */
const headerText = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '%');

const cookieName = fc.oneof(
  fc.constantFrom('outpost_session', 'outpost_csrf', 'outpost_lang', 'outpost_kiosk', ...PROTO_KEYS, ''),
  hostileString.map(headerText),
);

const cookieValue = fc.oneof(
  fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%00', '%C0%AF', '=', '""', 'ru', 'zh-CN', 'x'.repeat(4000)),
  fc.string({ maxLength: 30, unit: 'binary' }).map((s) => encodeURIComponent(s).slice(0, 20)),
  hostileString.map(headerText),
);

const cookie = fc
  .array(fc.tuple(cookieName, cookieValue, fc.constantFrom('; ', ';', ';;', ' ; ', ',')), { maxLength: 6 })
  .map((pairs) => pairs.map(([n, v, sep]) => `${n}=${v}${sep}`).join(''));

const acceptLanguage = fc.oneof(
  fc.constantFrom('ru;q=1e400', 'zh;q=-1, en;q=NaN', '*', ';;;', `${'en,'.repeat(2000)}ru`, 'ru;q=0.5;q=0.9'),
  hostileString.map(headerText),
);

const request = fc.constantFrom(
  ['GET', '/'],
  ['GET', '/login'],
  ['POST', '/login'],
  ['GET', '/kiosk'],
  ['GET', '/fragments/kiosk'],
  ['GET', '/metrics'],
  ['GET', '/lang/ru?back=/'],
  ['GET', '/healthz'],
  ['GET', '/settings'],
  ['POST', '/actions/release'],
  ['GET', '/static/nope.css'],
);

const headers = fc.record(
  {
    cookie,
    'accept-language': acceptLanguage,
    origin: fc.oneof(
      fc.constantFrom('null', 'http://127.0.0.1', 'http://[::1', '%'),
      hostileString.map(headerText),
    ),
    'hx-request': fc.constantFrom('true', 'false', ''),
    'hx-current-url': fc.oneof(fc.constantFrom('http://x/a?b', '::', '/'), hostileString.map(headerText)),
    'x-csrf-token': hostileString.map(headerText),
    authorization: fc.oneof(
      fc.constantFrom('Bearer ', 'Bearer x y', 'Basic %'),
      hostileString.map(headerText),
    ),
    'x-forwarded-for': fc.constantFrom('1.2.3.4', 'nonsense', ''),
  },
  { requiredKeys: ['cookie'] },
);

fuzz(import.meta.url, {
  'a request with any Cookie and header values is never answered with a 500': {
    runs: 150,
    heapMb: 384,
    build: async () => {
      const c = await fuzzConsole();
      const session = [...c.operator.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      return {
        close: c.close,
        property: fc.asyncProperty(
          request,
          headers,
          fc.constantFrom('none', 'before', 'after'),
          ([method, path], h, signedIn) => {
            const value =
              signedIn === 'none'
                ? h.cookie
                : signedIn === 'before'
                  ? `${session}; ${h.cookie}`
                  : `${h.cookie}; ${session}`;
            const sent = { ...h, cookie: value };
            return guardedAsync({ method, path, headers: sent }, [], async () => {
              const res = await fetch(c.web.url + path, {
                method,
                headers: {
                  ...sent,
                  ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
                },
                ...(method === 'POST' ? { body: `_csrf=${c.operator.csrf}&username=admin&password=x` } : {}),
                redirect: 'manual',
              });
              const text = await res.text();
              assert.ok(res.status < 500, `${method} ${path}: status ${res.status}: ${text.slice(0, 200)}`);
            });
          },
        ),
      };
    },
  },
});
