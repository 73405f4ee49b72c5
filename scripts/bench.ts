// `npm run bench`: the figures the issues ask for, measured on this machine in one run. Prints a table;
// `npm run bench -- --write-doc` (or `npm run bench console -- --write-doc`) also writes them into
// docs/performance.md, the one place figures are kept.
import { cpus } from 'node:os';
import path from 'node:path';
import { cliBench } from './bench/cli.ts';
import { consoleBench, consoleMemory, consoleSoak } from './bench/console.ts';
import { type SectionResult, writeDoc } from './bench/doc.ts';
import { hostBench } from './bench/host.ts';
import { hostileBench } from './bench/hostile.ts';
import { multipartBench } from './bench/multipart.ts';
import { renderSpeed } from './bench/render.ts';
import { renderLimits } from './bench/render-limits.ts';
import { reportBench } from './bench/report.ts';
import { sourcesBench } from './bench/sources.ts';
import { startupAndMemory } from './bench/startup.ts';
import { storeSoak } from './bench/store.ts';
import { storeCheckBench } from './bench/store-check.ts';
import { syncBench } from './bench/sync.ts';

// Sections marked optIn (long runs) only run when named: `npm run bench console-soak`.
const sections: { id: string; title: string; optIn?: boolean; run(): Promise<[string, string][]> }[] = [
  startupAndMemory,
  sourcesBench,
  hostileBench,
  renderSpeed,
  renderLimits,
  syncBench,
  hostBench,
  reportBench,
  storeCheckBench,
  consoleBench,
  cliBench,
  multipartBench,
  consoleSoak,
  consoleMemory,
  storeSoak,
];
const args = process.argv.slice(2);
const writeDocument = args.includes('--write-doc');
const only = args.filter((a) => a !== '--write-doc');
const results: SectionResult[] = [];

for (const section of sections) {
  if (only.length > 0 ? !only.includes(section.id) : section.optIn) continue;
  process.stdout.write(`\n## ${section.title}\n\n`);
  const rows = await section.run();
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  results.push({ id: section.id, title: section.title, rows });
}

if (writeDocument) {
  const doc = path.resolve(import.meta.dirname, '..', 'docs', 'performance.md');
  const cpu = cpus();
  writeDoc(
    doc,
    results,
    {
      at: new Date().toISOString(),
      node: process.versions.node,
      cpus: `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}`,
    },
    sections.map((s) => s.id),
  );
  process.stdout.write(`\nwrote ${results.length} section(s) into ${path.relative(process.cwd(), doc)}\n`);
}
