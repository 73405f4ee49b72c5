// The plan fragment: when the dry-run cannot be made, it says so in the reader's words and keeps the error's own
// words under "Details for support".
import { after, before, test } from 'node:test';
import express from 'express';
import type { WebDeps } from '../../server/web/deps.ts';
import { planRoutes } from '../../server/web/routes/plan.ts';
import { createViews } from '../../server/web/views.ts';
import { assertSaidApart } from '../support/details.ts';
import { listen, type Running } from '../support/http.ts';

let web: Running;
const RAW = 'FetchFailed: GET https://fleet.example/site.tar.gz: 503 Service Unavailable';

before(async () => {
  const sync = {
    preview: async () => {
      throw new Error(RAW);
    },
  } as unknown as WebDeps['sync'];
  const app = express();
  // Stands in for the language middleware: the reader's language from a test header.
  app.use((req, res, next) => {
    res.locals.locale = req.get('x-test-locale') ?? 'en';
    next();
  });
  app.use(planRoutes({ sync } as WebDeps, createViews({ nodeName: 'gw', demo: null })));
  web = await listen(app);
});
after(() => web.close());

test('a plan that cannot be made is said in Russian and Chinese, the error only under the support details', async () => {
  const plan = async (locale: string) =>
    (await fetch(`${web.url}/fragments/plan`, { headers: { 'x-test-locale': locale } })).text();
  assertSaidApart(await plan('ru'), 'Не удалось составить план: источник или кластер ответили не так', RAW);
  assertSaidApart(await plan('zh-CN'), '无法生成计划：上游或集群没有按预期应答', RAW);
  assertSaidApart(await plan('en'), 'The plan could not be made', RAW);
});
