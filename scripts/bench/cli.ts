// The read-only commands as a technician runs them (`node bin/outpost.js …`, a fresh process each time) on a node
// that has synced a few revisions and has one more waiting upstream: wall time per command, median and worst of
// several runs, with the load average beside them (other work on the machine shows in the figures). `diff` asks
// the bench's own simulated cluster; `render` reads the demo fleet in this checkout. Issue 15 asks ≤ 0.5 s.
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { reconcile } from '../../server/sync/reconciler.ts';
import { configMap, deployment, makeFleet, NS } from '../../test/support/fleet.ts';
import { ROOT } from '../../test/support/process.ts';

const exec = promisify(execFile);
const RUNS = 9;

const COMMANDS = [
  ['help'],
  ['status'],
  ['status', '--json'],
  ['revisions'],
  ['revisions', '--json'],
  ['diff'],
  ['diff', '--json'],
  ['render', path.join('demo', 'fleet', 'sites', 'berlin')],
];

/**
 * One untimed run first: after a change to the code, Node's compile cache (bin/outpost.js) fills on the first run,
 * which a technician pays once per upgrade, not per command.
 */
async function timeCommand(args: string[], env: Record<string, string>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    await exec(process.execPath, [path.join(ROOT, 'bin', 'outpost.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OUTPOST_LOG_LEVEL: 'silent', ...env },
    });
    if (i > 0) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export const cliBench = {
  id: 'cli',
  title: 'Command line: read-only commands, fresh process each (node bin/outpost.js)',
  async run(): Promise<[string, string][]> {
    const f = await makeFleet({
      'ns.yaml': NS,
      'cm.yaml': configMap('settings'),
      'web.yaml': deployment('web'),
    });
    try {
      for (const v of ['v1', 'v2', 'v3']) {
        f.write({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', v), 'web.yaml': deployment('web') });
        await reconcile(f.deps, 'cli');
      }
      // Upstream has moved on: `diff` has a change to show.
      f.write({ 'ns.yaml': NS, 'cm.yaml': configMap('settings', 'v4'), 'web.yaml': deployment('web') });
      const env = {
        KUBECONFIG: path.join(f.dir, 'kubeconfig.yaml'),
        OUTPOST_DATA_DIR: f.dataDir,
        OUTPOST_SOURCE_KIND: 'dir',
        OUTPOST_SOURCE_URL: f.sourceDir,
      };
      const rows: [string, string][] = [['load average (1, 5, 15 min) before', load()]];
      for (const args of COMMANDS) {
        const t = await timeCommand(args, env);
        const median = t[Math.floor(t.length / 2)] as number;
        const worst = t.at(-1) as number;
        rows.push([
          `outpost ${args.join(' ')}`,
          `median ${(median / 1000).toFixed(2)} s, worst ${(worst / 1000).toFixed(2)} s (${RUNS} runs)`,
        ]);
      }
      rows.push(['load average (1, 5, 15 min) after', load()]);
      return rows;
    } finally {
      await f.close();
    }
  },
};
