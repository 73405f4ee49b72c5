// The bench's doc writer: figures go into docs/performance.md's generated block, section by section, and a run
// of some sections keeps the others' last figures; nothing outside the block changes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BEGIN, END, updateDoc } from '../../scripts/bench/doc.ts';

const RUN = { at: '2026-12-02T12:00:00.000Z', node: '24.21.0', cpus: '2 × test cpu' };
const ORDER = ['startup', 'console', 'host'];
const DOC = `# Performance\n\nintro\n\n${BEGIN}\nhand-copied table\n${END}\n\n## History\n\nold figures\n`;

test('a run writes each section it ran into the block, replacing the hand-copied text, and leaves the rest', () => {
  const out = updateDoc(
    DOC,
    [{ id: 'console', title: 'Console', rows: [['overview p99', '8.7 ms']] }],
    RUN,
    ORDER,
  );
  assert.ok(out.startsWith('# Performance\n\nintro\n\n'));
  assert.ok(out.endsWith('\n\n## History\n\nold figures\n'));
  assert.doesNotMatch(out, /hand-copied table/);
  assert.match(out, /### Console\n\n`npm run bench console`, 2026-12-02, Node 24\.21\.0, 2 × test cpu\./);
  assert.match(out, /\| overview p99 \| 8\.7 ms \|/);
});

test('a later run of another section keeps the first section, in the bench order', () => {
  const first = updateDoc(DOC, [{ id: 'host', title: 'Host', rows: [['cpu', '0.1 %']] }], RUN, ORDER);
  const second = updateDoc(
    first,
    [{ id: 'startup', title: 'Startup', rows: [['idle', '97 MB']] }],
    RUN,
    ORDER,
  );
  assert.match(second, /\| cpu \| 0\.1 % \|/);
  assert.ok(second.indexOf('### Startup') < second.indexOf('### Host'));
  const third = updateDoc(second, [{ id: 'host', title: 'Host', rows: [['cpu', '0.2 %']] }], RUN, ORDER);
  assert.doesNotMatch(third, /0\.1 %/);
  assert.match(third, /\| cpu \| 0\.2 % \|/);
  assert.equal(third.split('### Host').length, 2, 'the section is replaced, not repeated');
});

test('a cell with a pipe or a newline does not break the table', () => {
  const out = updateDoc(DOC, [{ id: 'host', title: 'Host', rows: [['a|b', 'one\ntwo']] }], RUN, ORDER);
  assert.match(out, /\| a\\\|b \| one two \|/);
});

test('docs/performance.md has the generated block the bench writes into', () => {
  const doc = readFileSync(path.resolve(import.meta.dirname, '..', '..', 'docs', 'performance.md'), 'utf8');
  assert.ok(doc.includes(BEGIN) && doc.indexOf(END) > doc.indexOf(BEGIN));
});
