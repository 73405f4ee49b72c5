// `npm test`: lint and format check, type check, then unit, fuzz, integration and e2e tests — stops at the first red
// step. The fuzz step runs seeded properties (test/fuzz, docs/fuzzing.md); `npm run fuzz` runs them longer.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

function testFiles(dir: string): string[] {
  const abs = path.join(root, 'test', dir);
  return readdirSync(abs, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => path.join('test', dir, f));
}

const only = process.argv.slice(2);
const steps: [string, string, string[]][] = [
  ['lint', bin('biome'), ['check', '.']],
  ['typecheck', bin('tsc'), ['--noEmit', '-p', '.']],
  ['unit', process.execPath, ['--test', '--test-concurrency=2', ...testFiles('unit')]],
  ['fuzz', process.execPath, ['--test', '--test-concurrency=2', ...testFiles('fuzz')]],
  ['integration', process.execPath, ['--test', '--test-concurrency=2', ...testFiles('integration')]],
  ['e2e', process.execPath, ['--test', '--test-concurrency=1', ...testFiles('e2e')]],
];

for (const [name, cmd, args] of steps) {
  if (only.length > 0 && !only.includes(name)) continue;
  const started = Date.now();
  process.stdout.write(`\n== ${name}\n`);
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, OUTPOST_LOG_LEVEL: 'silent' },
  });
  process.stdout.write(
    `== ${name}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
