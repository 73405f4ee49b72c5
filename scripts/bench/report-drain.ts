// Child of the report bench, run with the start script's V8 flags so its memory is what a node would see:
// records a backlog while the broker is away, then drains it when the parent says the broker is back.
import { openDb } from '../../server/db/open.ts';
import { appendEvents } from '../../server/db/outbox.ts';
import { Reporter } from '../../server/report/index.ts';
import { EVENT, event } from '../../server/report/model.ts';
import { EMPTY_STATUS } from '../../server/sync/status.ts';
import { silentLog } from '../../test/support/log.ts';

const [dir, url, count] = process.argv.slice(2) as [string, string, string];
const db = openDb(dir);
const reporter = new Reporter({
  db,
  log: silentLog,
  config: {
    identity: { node: 'gw-0042', site: 'plant-hamburg' },
    backlog: 20_000,
    heartbeatMs: 300_000,
    mqtt: { url, prefix: 'outpost' },
    webhook: null,
  },
  inputs: () => ({
    status: EMPTY_STATUS,
    health: { Healthy: 0, Progressing: 0, Degraded: 0, Unknown: 0 },
    liveError: null,
    failing: [],
  }),
});
await reporter.start();
const bound = { max: 20_000, dropFirst: EVENT.heartbeat, notice: () => event(EVENT.dropped, 'warning', {}) };
for (let i = 0; i < Number(count); i += 500)
  appendEvents(
    db,
    Array.from({ length: 500 }, (_, j) => event(EVENT.run, 'info', { run: i + j, result: 'succeeded' })),
    bound,
  );
await new Promise((r) => setTimeout(r, 1000));
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 10);
process.send?.({ ready: true });
await new Promise((r) => process.once('message', r));
const t0 = performance.now();
const drained = await reporter.flushed(120_000);
const ms = performance.now() - t0;
clearInterval(sampler);
await reporter.stop();
db.close();
process.send?.({ drained, ms, rss0, peak });
process.disconnect();
