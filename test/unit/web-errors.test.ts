// The one error handler: a refusal in the reader's words, the error's own words only under "Details for support",
// and nothing of an internal failure on the page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import express from 'express';
import { AccessError } from '../../server/auth/access-error.ts';
import type { Problem, ProblemKind } from '../../server/problem.ts';
import { HttpError } from '../../server/web/http-error.ts';
import { errorHandler } from '../../server/web/middleware/errors.ts';
import { createViews } from '../../server/web/views.ts';
import { assertSaidApart, supportSplit } from '../support/details.ts';
import { listen, type Running } from '../support/http.ts';
import { silentLog } from '../support/log.ts';

class DomainError extends Error implements Problem {
  readonly kind: ProblemKind;
  constructor(message: string, kind: ProblemKind) {
    super(message);
    this.kind = kind;
  }
}

let web: Running;

before(async () => {
  const app = express();
  app.use((req, res, next) => {
    res.locals.locale = req.get('x-test-locale') ?? 'en';
    next();
  });
  app.get('/refused', () => {
    throw new DomainError('bundle digest sha256:abc does not match its manifest', 'refused');
  });
  app.get('/said', () => {
    throw new HttpError(502, 'Перезапуск не удался.', { detail: 'etcdserver: request timed out' });
  });
  app.get('/broken', () => {
    throw new Error('SQLITE_CORRUPT: database disk image is malformed');
  });
  app.get('/access', () => {
    throw new AccessError('password-short', { n: 12 });
  });
  app.use(errorHandler(silentLog, createViews({ nodeName: 'gw', demo: null })));
  web = await listen(app);
});
after(() => web.close());

const get = async (path: string, locale: string, htmx = false) => {
  const res = await fetch(web.url + path, {
    headers: { 'x-test-locale': locale, ...(htmx ? { 'HX-Request': 'true' } : {}) },
  });
  return { status: res.status, html: await res.text() };
};

test('a domain refusal no route put in words is said by its kind; its own words only under the support details', async () => {
  const ru = await get('/refused', 'ru');
  assert.equal(ru.status, 422);
  assertSaidApart(
    ru.html,
    'Узел отказался это выполнить.',
    'bundle digest sha256:abc does not match its manifest',
  );
  const zh = await get('/refused', 'zh-CN', true);
  assert.match(zh.html, /^<div class="error" role="alert">节点拒绝了此操作。/);
  assertSaidApart(zh.html, '节点拒绝了此操作。', 'does not match its manifest');
});

test('a route’s own words are shown, with its detail folded away', async () => {
  const r = await get('/said', 'ru');
  assert.equal(r.status, 502);
  assertSaidApart(r.html, 'Перезапуск не удался.', 'etcdserver: request timed out');
});

test('an internal failure shows neither its words nor a support detail: those are in the log', async () => {
  const r = await get('/broken', 'ru');
  assert.equal(r.status, 500);
  assert.match(r.html, /Внутри Outpost что-то пошло не так/);
  assert.doesNotMatch(r.html, /SQLITE_CORRUPT/);
  assert.deepEqual(supportSplit(r.html).folded, []);
});

test('an access refusal that reaches the handler is said from its catalogue entry', async () => {
  const r = await get('/access', 'ru');
  assert.equal(r.status, 400);
  assert.match(r.html, /Пароль должен содержать не менее 12 символов\./);
  assert.doesNotMatch(r.html, /the password needs/);
});
