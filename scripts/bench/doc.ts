// Writes the bench's figures into docs/performance.md, the one place they live: each section's table between
// its own markers inside the generated block, so a run of some sections updates those and keeps the others.
import { readFileSync, writeFileSync } from 'node:fs';

export const BEGIN =
  '<!-- bench:begin (written by `npm run bench -- --write-doc`; edit scripts/bench, not this) -->';
export const END = '<!-- bench:end -->';
const sectionStart = (id: string) => `<!-- bench:section ${id} -->`;
const sectionEnd = (id: string) => `<!-- /bench:section ${id} -->`;
const SECTION = /<!-- bench:section ([a-z0-9-]+) -->\n[\s\S]*?<!-- \/bench:section \1 -->/g;

export interface SectionResult {
  id: string;
  title: string;
  rows: [string, string][];
}

export interface RunInfo {
  /** ISO date of the run. */
  at: string;
  node: string;
  cpus: string;
}

/** A table cell: pipes and newlines would break the Markdown table. */
const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function sectionText(r: SectionResult, run: RunInfo): string {
  return [
    sectionStart(r.id),
    `### ${r.title}`,
    '',
    `\`npm run bench ${r.id}\`, ${run.at.slice(0, 10)}, Node ${run.node}, ${run.cpus}.`,
    '',
    '| figure | value |',
    '| --- | --- |',
    ...r.rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`),
    sectionEnd(r.id),
  ].join('\n');
}

/**
 * The document with `results` written into its generated block (created at the end when missing). Sections
 * not run keep their last figures; `order` (the bench's section ids) fixes the order they appear in.
 */
export function updateDoc(doc: string, results: SectionResult[], run: RunInfo, order: string[]): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END, begin);
  const hasBlock = begin >= 0 && end > begin;
  const inside = hasBlock ? doc.slice(begin + BEGIN.length, end) : '';
  const kept = new Map<string, string>();
  for (const m of inside.matchAll(SECTION)) kept.set(m[1] as string, m[0]);
  for (const r of results) kept.set(r.id, sectionText(r, run));
  const ids = [...kept.keys()].sort((a, b) => rank(order, a) - rank(order, b));
  const block = `${BEGIN}\n${ids.map((id) => kept.get(id)).join('\n\n')}\n${END}`;
  return hasBlock
    ? `${doc.slice(0, begin)}${block}${doc.slice(end + END.length)}`
    : `${doc.trimEnd()}\n\n${block}\n`;
}

function rank(order: string[], id: string): number {
  const i = order.indexOf(id);
  return i < 0 ? order.length : i;
}

export function writeDoc(file: string, results: SectionResult[], run: RunInfo, order: string[]): void {
  writeFileSync(file, updateDoc(readFileSync(file, 'utf8'), results, run, order));
}
