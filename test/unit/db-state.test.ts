// The state table: one typed accessor (stateCell) per key, declared once, and a value read back as written.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openDb } from '../../server/db/open.ts';
import { stateCell } from '../../server/db/state.ts';

const SERVER = path.resolve(import.meta.dirname, '..', '..', 'server');
const KEYS = readFileSync(path.join(SERVER, 'db', 'state.ts'), 'utf8')
  .split('export type StateKey =')[1]
  ?.split(';')[0]
  ?.match(/'[a-z_]+'/g)
  ?.map((k) => k.slice(1, -1));

function sources(): { file: string; text: string }[] {
  return readdirSync(SERVER, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.startsWith(`db${path.sep}migrations`))
    .map((f) => ({ file: f, text: readFileSync(path.join(SERVER, f), 'utf8') }));
}

test('a state cell reads back what it wrote, and nothing once cleared', () => {
  const db = openDb(':memory:');
  const cell = stateCell<{ at: string; n: number }>('last_sweep');
  assert.equal(cell.get(db), null);
  cell.set(db, { at: '2026-12-01T00:00:00.000Z', n: 3 });
  assert.deepEqual(cell.get(db), { at: '2026-12-01T00:00:00.000Z', n: 3 });
  cell.clear(db);
  assert.equal(cell.get(db), null);
  db.close();
});

test('every state key has exactly one typed accessor, declared once in the server', () => {
  assert.ok(KEYS && KEYS.length >= 10, 'the StateKey union is readable');
  const all = sources();
  for (const key of KEYS ?? []) {
    const declared = all.filter((s) => s.text.includes(`stateCell<`) && s.text.includes(`('${key}')`));
    assert.equal(
      declared.length,
      1,
      `${key}: declared in ${declared.map((d) => d.file).join(', ') || 'nowhere'}`,
    );
  }
});

test('no module reads or writes the state table around its cells', () => {
  // The raw functions are private to db/state.ts; SQL on the table anywhere else would bypass the cells too.
  const raw = sources()
    .filter((s) => s.file !== path.join('db', 'state.ts') && /\b(FROM|INTO|UPDATE)\s+state\b/.test(s.text))
    .map((s) => s.file);
  assert.deepEqual(raw, []);
});
