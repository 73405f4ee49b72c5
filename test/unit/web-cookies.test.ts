// The one Cookie header parser: bad encodings skipped, never throws, bounded, no prototype keys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_COOKIE_HEADER, MAX_COOKIES, parseCookies } from '../../server/web/cookies.ts';

test('parseCookies reads plain, quoted and percent-encoded values, the first of a repeated name winning', () => {
  const c = parseCookies(' a=1; b="two"; c=%E4%B8%AD; a=again; d=x=y ');
  assert.deepEqual(
    [...c],
    [
      ['a', '1'],
      ['b', 'two'],
      ['c', '中'],
      ['d', 'x=y'],
    ],
  );
});

test('parseCookies skips a value that is not valid percent-encoding and keeps the others', () => {
  for (const bad of ['%E0%A4%A', '%', '%zz', '%C0%80', '%ED%A0%80']) {
    const c = parseCookies(`outpost_csrf=${bad}; outpost_lang=ru`);
    assert.equal(c.get('outpost_csrf'), undefined, bad);
    assert.equal(c.get('outpost_lang'), 'ru', bad);
  }
});

test('parseCookies skips pairs without a name, without "=", or with an invalid name', () => {
  const c = parseCookies('=v; novalue; a b=1; a\u0000=2; ok=3;;');
  assert.deepEqual([...c], [['ok', '3']]);
});

test('parseCookies never yields prototype keys and is not fooled by __proto__ or constructor', () => {
  const c = parseCookies('__proto__=x; constructor=y; toString=z');
  assert.equal(c.get('__proto__'), 'x');
  assert.equal(c.get('constructor'), 'y');
  assert.equal(c.get('hasOwnProperty'), undefined);
  assert.equal(parseCookies('a=1').get('constructor'), undefined);
  assert.ok(c instanceof Map);
});

test('parseCookies reads at most MAX_COOKIES cookies and nothing past MAX_COOKIE_HEADER characters', () => {
  const many = Array.from({ length: MAX_COOKIES + 10 }, (_, i) => `c${i}=${i}`).join('; ');
  const c = parseCookies(many);
  assert.equal(c.size, MAX_COOKIES);
  assert.equal(c.get(`c${MAX_COOKIES}`), undefined);

  const long = `first=1; big=${'v'.repeat(MAX_COOKIE_HEADER)}; last=2`;
  const cut = parseCookies(long);
  assert.equal(cut.get('first'), '1');
  // The pair running past the cap is incomplete: it is dropped, not read with a shortened value.
  assert.equal(cut.get('big'), undefined);
  assert.equal(cut.get('last'), undefined);
});

test('parseCookies answers an empty map for no header or a non-string', () => {
  assert.equal(parseCookies(undefined).size, 0);
  assert.equal(parseCookies('').size, 0);
  assert.equal(parseCookies(['a=1'] as unknown as string).size, 0);
});
