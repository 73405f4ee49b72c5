// What host readings cost: CPU (ours and the processes systeminformation spawns) per reading, and the share
// of one core at the default sampling interval; the heap the library's modules keep once loaded.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { hostReader, RATES } from '../../server/host/readings.ts';
import { buildOnce, ROOT } from '../../test/support/process.ts';

const READINGS = 120; // 30 minutes: every slower call runs at least once
const INTERVAL_MS = 15_000; // OUTPOST_SAMPLE_INTERVAL's default
const TICK_S = 1 / 100; // USER_HZ on Linux

/** CPU seconds of this process plus its waited-for children (the `sh`/`df`/`cat` systeminformation runs). */
function cpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // Fields 14–17 of stat (utime stime cutime cstime), counted from 3 after the command name.
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return ((utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0)) * TICK_S;
}

/** The heap the library's modules keep once loaded, in a fresh process (this one has run other sections). */
function libraryHeapMb(): number {
  buildOnce();
  const si = pathToFileURL(path.join(ROOT, 'dist', 'host', 'si.js')).href;
  const script = `import v8 from 'node:v8'; gc(); const before = v8.getHeapStatistics().used_heap_size;
    (await import(${JSON.stringify(si)})).hostLibrary(); gc(); gc();
    process.stdout.write(String(v8.getHeapStatistics().used_heap_size - before));`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script]);
  return Number(out.toString()) / 1048576;
}

export const hostBench = {
  id: 'host',
  title: `Host readings through systeminformation (${READINGS} readings at the production rates)`,
  async run(): Promise<[string, string][]> {
    let now = 0;
    const read = hostReader({ dataDir: tmpdir(), clock: () => now });
    await read(); // loads the library, primes its CPU counters
    const cpu0 = cpuSeconds();
    const wall0 = performance.now();
    for (let i = 0; i < READINGS; i++) {
      now += INTERVAL_MS;
      await read();
    }
    const cpu = cpuSeconds() - cpu0;
    const wall = performance.now() - wall0;
    const simulatedS = (READINGS * INTERVAL_MS) / 1000;
    return [
      [
        'library loaded: heap its modules keep (a fresh process, after GC)',
        `+${libraryHeapMb().toFixed(2)} MB`,
      ],
      [
        'simulated time',
        `${simulatedS / 60} min (df every ${RATES.diskMs / 1000} s, sensors every ${RATES.sensorsMs / 1000} s)`,
      ],
      [
        'CPU, ours + spawned processes',
        `${(cpu * 1000).toFixed(0)} ms (${((cpu * 1000) / READINGS).toFixed(1)} ms a reading)`,
      ],
      ['wall time of the readings', `${wall.toFixed(0)} ms`],
      ['share of one core at a 15 s interval', `${((cpu / simulatedS) * 100).toFixed(3)} % (budget 0.5 %)`],
    ];
  },
};
