// `npm run bench`: the figures the issues ask for, measured on this machine in one run. Prints a table.
import { renderSpeed } from './bench/render.ts';
import { sourcesBench } from './bench/sources.ts';
import { startupAndMemory } from './bench/startup.ts';
import { syncBench } from './bench/sync.ts';

const sections = [startupAndMemory, sourcesBench, renderSpeed, syncBench];
const only = process.argv.slice(2);

for (const section of sections) {
  if (only.length > 0 && !only.includes(section.id)) continue;
  process.stdout.write(`\n## ${section.title}\n\n`);
  const rows = await section.run();
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}
