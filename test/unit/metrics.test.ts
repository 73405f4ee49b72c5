// The Prometheus text Outpost serves on /metrics: types, labels, escaping, histograms, process figures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Gauge, Histogram, processMetrics, Registry } from '../../server/metrics.ts';

test('counters and gauges: HELP and TYPE lines, labelled samples, escaping, 0 for an unlabelled one', async () => {
  const r = new Registry();
  const runs = r.register(new Counter('x_runs_total', 'Runs by result', ['result', 'reason']));
  const up = r.register(new Gauge('x_up', 'Up or not'));
  const last = r.register(new Gauge('x_last', 'Last time', ['result']));
  runs.inc({ result: 'failed', reason: 'said "no"\\\nthen left' });
  runs.inc({ result: 'succeeded', reason: '' });
  runs.inc({ result: 'succeeded', reason: '' }, 2);
  last.set({ result: 'ok' }, 1.5);
  const text = await r.metrics();
  assert.equal(
    text,
    [
      '# HELP x_runs_total Runs by result',
      '# TYPE x_runs_total counter',
      'x_runs_total{result="failed",reason="said \\"no\\"\\\\\\nthen left"} 1',
      'x_runs_total{result="succeeded",reason=""} 3',
      '# HELP x_up Up or not',
      '# TYPE x_up gauge',
      'x_up 0',
      '# HELP x_last Last time',
      '# TYPE x_last gauge',
      'x_last{result="ok"} 1.5',
      '',
    ].join('\n'),
  );
  up.set(1);
  assert.match(await r.metrics(), /^x_up 1$/m);
  assert.throws(() => r.register(new Gauge('x_up', 'again')), /x_up registered twice/);
});

test('histograms count cumulatively per bucket, with +Inf, sum and count per label set', async () => {
  const r = new Registry();
  const h = r.register(new Histogram('x_seconds', 'Durations', ['result'], [0.5, 1, 5]));
  for (const v of [0.2, 0.7, 0.9, 3, 60]) h.observe({ result: 'ok' }, v);
  h.observe({ result: 'failed' }, 0.1);
  const lines = (await r.metrics()).split('\n');
  for (const line of [
    'x_seconds_bucket{le="0.5",result="ok"} 1',
    'x_seconds_bucket{le="1",result="ok"} 3',
    'x_seconds_bucket{le="5",result="ok"} 4',
    'x_seconds_bucket{le="+Inf",result="ok"} 5',
    'x_seconds_sum{result="ok"} 64.8',
    'x_seconds_count{result="ok"} 5',
    'x_seconds_bucket{le="0.5",result="failed"} 1',
    'x_seconds_count{result="failed"} 1',
  ])
    assert.ok(lines.includes(line), `missing: ${line}`);
});

test('process figures are read at scrape time: CPU counters only grow, RSS is this process’s', async () => {
  const r = new Registry();
  processMetrics(r, 'p_');
  const value = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  const first = await r.metrics();
  assert.match(first, /^# TYPE p_process_cpu_user_seconds_total counter$/m);
  const rss = value(first, 'p_process_resident_memory_bytes');
  assert.ok(rss > 10 * 2 ** 20 && rss < 4 * 2 ** 30, `rss ${rss}`);
  const start = value(first, 'p_process_start_time_seconds');
  assert.ok(Math.abs(start - (Date.now() / 1000 - process.uptime())) < 2);
  const t = Date.now();
  while (Date.now() - t < 30); // burn a little CPU
  const second = await r.metrics();
  assert.ok(
    value(second, 'p_process_cpu_user_seconds_total') + value(second, 'p_process_cpu_system_seconds_total') >
      value(first, 'p_process_cpu_user_seconds_total') + value(first, 'p_process_cpu_system_seconds_total'),
  );
});
