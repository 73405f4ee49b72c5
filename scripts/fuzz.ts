// `npm run fuzz`: the fuzz properties (test/fuzz) with a fresh random seed and many more runs, for a local
// hunt. Prints the seed first; a failure prints the line that reproduces it (see docs/fuzzing.md).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const files = readdirSync(path.join(root, 'test', 'fuzz'))
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
  .map((f) => path.join('test', 'fuzz', f));
const seed = process.env.FUZZ_SEED || String((Math.random() * 2 ** 31) | 0);
const runs = process.env.FUZZ_RUNS || '5000';
const timeMs = process.env.FUZZ_TIME_MS || '120000';
process.stdout.write(`fuzz: FUZZ_SEED=${seed} FUZZ_RUNS=${runs} (each property stops after ${timeMs} ms)\n`);
const r = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...files],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      OUTPOST_LOG_LEVEL: 'silent',
      FUZZ_SEED: seed,
      FUZZ_RUNS: runs,
      FUZZ_TIME_MS: timeMs,
    },
  },
);
process.exit(r.status ?? 1);
