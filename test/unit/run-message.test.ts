// A run's message: written from one template per shape, the English the CLI and reports always showed, read back
// only when every value fits; the console says it in the reader's language with a held revision's failure apart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  RUN_MESSAGE_SHAPES,
  RUN_MESSAGES,
  readRunMessage,
  runMessage,
} from '../../server/sync/run-message.ts';
import { createFormat } from '../../server/web/format.ts';
import { translator } from '../../server/web/i18n/index.ts';
import { runMessageSaid } from '../../server/web/models/run-message.ts';

const SAMPLE = {
  text: 'a1b2c3d4e5f6',
  count: 3,
  time: '2026-12-02T12:00:00.000Z',
  raw: 'HealthFailed: apps/v1 Deployment shop/web: image shop/web:broken cannot be pulled',
} as const;

function sample(shape: (typeof RUN_MESSAGE_SHAPES)[number]): Record<string, string | number> {
  const kinds: Readonly<Record<string, keyof typeof SAMPLE>> = RUN_MESSAGES[shape].kinds;
  return Object.fromEntries(Object.entries(kinds).map(([k, kind]) => [k, SAMPLE[kind]]));
}

test('every run message written is read back as itself with the same values', () => {
  for (const shape of RUN_MESSAGE_SHAPES) {
    const params = sample(shape);
    assert.deepEqual(readRunMessage(runMessage(shape, params)), { shape, params }, shape);
  }
});

test('the stored English is what runs always said (old runs read the same)', () => {
  assert.equal(runMessage('applied', { rev: 'a1b2c3d4e5f6' }), 'revision a1b2c3d4e5f6 applied and healthy');
  assert.equal(
    runMessage('applied-drift', { rev: 'a1b2c3d4e5f6', n: 2 }),
    'revision a1b2c3d4e5f6 applied and healthy; corrected drift on 2 object(s)',
  );
  assert.equal(runMessage('no-drift'), 'no drift');
  assert.equal(readRunMessage('something a person wrote'), null);
});

test('in Russian a held run says what happened; the failure that held it is only the support detail', () => {
  const ru = translator('ru');
  const line = runMessage('held', { rev: 'a1b2c3d4e5f6', error: SAMPLE.raw });
  const said = runMessageSaid(line, { ...ru, fmt: createFormat(ru) });
  assert.match(said.text, /^Ревизия a1b2c3d4e5f6 задержана, потому что раньше не удалась/);
  assert.ok(!said.text.includes('HealthFailed'));
  assert.equal(said.support, SAMPLE.raw);
  // Russian plural forms for the objects counted.
  const drift = (n: number) =>
    runMessageSaid(runMessage('drift-reported', { n }), { ...ru, fmt: createFormat(ru) }).text;
  assert.equal(drift(1), 'Отклонение у 1 объекта отмечено, но не исправлено.');
  assert.equal(drift(5), 'Отклонение у 5 объектов отмечено, но не исправлено.');
  // A message that is not one of ours is shown as it was written.
  assert.deepEqual(runMessageSaid('legacy words', { ...ru, fmt: createFormat(ru) }), {
    text: 'legacy words',
    support: null,
  });
});
