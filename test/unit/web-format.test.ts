// Display helpers per language: ages, sizes, durations, percentages and failure reasons in plain words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { healthOf } from '../../server/apply/health/index.ts';
import { createFormat } from '../../server/web/format.ts';
import { translator } from '../../server/web/i18n/index.ts';
import { sparkline } from '../../server/web/sparkline.ts';

const en = createFormat(translator('en'));
const zh = createFormat(translator('zh-CN'));
const ru = createFormat(translator('ru'));
const NOW = Date.parse('2026-11-24T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

test('ages read as seconds, minutes, hours and days ago in each language', () => {
  assert.equal(en.age(ago(5), NOW), '5 s ago');
  assert.equal(en.age(ago(125), NOW), '2 min ago');
  assert.equal(en.age(ago(3 * 3600 + 60 * 7), NOW), '3 h 7 min ago');
  assert.equal(en.age(ago(3 * 86400), NOW), '3 d ago');
  assert.equal(en.age(null, NOW), 'never');
  assert.equal(zh.age(ago(125), NOW), '2 分钟前');
  assert.equal(ru.age(ago(125), NOW), '2 мин назад');
});

test('sizes use binary steps and the language’s units and decimal mark', () => {
  assert.equal(en.bytes(512), '512 B');
  assert.equal(en.bytes(1536), '1.5 KB');
  assert.equal(en.bytes(8 * 1024 ** 3), '8 GB');
  assert.equal(ru.bytes(1536), '1,5 КБ');
  assert.equal(en.rate(2048), '2 KB/s');
  assert.equal(zh.rate(2048), '2 KB/秒');
  assert.equal(en.bytes(null), '—');
});

test('durations, spans, percentages and temperatures', () => {
  assert.equal(en.duration(850), '850 ms');
  assert.equal(en.duration(12_340), '12.3 s');
  assert.equal(en.duration(125_000), '2 min 5 s');
  assert.equal(en.span(3 * 86400 + 4 * 3600), '3 d 4 h');
  assert.equal(en.span(5 * 3600 + 12 * 60), '5 h 12 min');
  assert.equal(en.percent(0.123), '12%');
  assert.equal(ru.percent(0.5), '50\u00a0%');
  assert.equal(en.temp(54.4), '54 °C');
  assert.equal(en.temp(null), '—');
});

test('failure reasons are plain words in each language; an unknown code is shown as it is', () => {
  assert.match(en.reason('HealthFailed'), /did not start properly/);
  assert.match(zh.reason('HealthFailed'), /未能正常启动/);
  assert.match(ru.reason('HealthFailed'), /не запустилась/);
  assert.equal(en.reason('SomethingNew'), 'SomethingNew');
  assert.equal(en.reason(null), '');
  assert.equal(zh.stageLabel('apply'), '正在应用');
  assert.equal(ru.trigger('sync-now'), 'кнопкой «Синхронизировать»');
  assert.equal(en.result('rolled-back'), 'rolled back');
});

test('a sparkline breaks at gaps, scales shares to a fixed range and draws a lone point as a short stroke', () => {
  const s = sparkline([0, 0.5, null, 1, 1], { range: [0, 1] });
  assert.equal(s.segments.length, 2);
  assert.equal(s.segments[0], '0,23 1,12');
  assert.equal(s.segments[1], '3,1 4,1');
  assert.equal(s.width, 4);
  assert.equal(s.last, 1);
  const lone = sparkline([null, null, 0.5], { range: [0, 1] });
  assert.equal(lone.segments.length, 1);
  assert.match(lone.segments[0] as string, /^2,12 2\.8,12$/);
  assert.deepEqual(sparkline([null, null]).segments, []);
  // An idle network (all zero) stays at the bottom instead of filling the box.
  assert.match(sparkline([0, 0, 0], { floor: 1024 }).segments[0] as string, /,23 /);
});

test('object status details: our phrases in the reader language, the cluster own words as they are', () => {
  const h = healthOf(
    {
      spec: { replicas: 3 },
      status: { observedGeneration: 1, replicas: 3, updatedReplicas: 1 },
      metadata: { generation: 1 },
    },
    'apps/v1',
    'Deployment',
  );
  assert.equal(h.message, '1 of 3 replicas updated', 'English for logs and the CLI');
  assert.equal(createFormat(translator('ru')).healthDetail(h), 'обновлено реплик: 1 из 3');
  assert.equal(createFormat(translator('zh-CN')).healthDetail(h), '已更新 1/3 个副本');
  const theirs = { status: 'Degraded' as const, message: 'Back-off pulling image "shop/web:9"' };
  assert.equal(createFormat(translator('ru')).healthDetail(theirs), theirs.message);
});
