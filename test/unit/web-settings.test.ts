// Console settings: validated in plain words, stored over the configuration, audited, applied, and reset.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recentAudit } from '../../server/db/audit.ts';
import { openDb } from '../../server/db/open.ts';
import { getState, setState } from '../../server/db/state.ts';
import { dirSource } from '../../server/sources/dir.ts';
import { createSettings, SettingsError, type SettingsValues, validate } from '../../server/sync/settings.ts';

const defaults = (): SettingsValues => ({
  source: { kind: 'dir', url: '/srv/fleet', path: '.' },
  schedule: '*/5 * * * *',
  maintenanceWindows: [],
  paused: false,
});

test('bad values are refused naming the field', () => {
  const bad: [Parameters<typeof validate>[0], unknown, string][] = [
    ['schedule', 'every minute', 'schedule'],
    ['maintenanceWindows', ['* 22 * * *', 'nope'], 'maintenanceWindows'],
    ['source', { kind: 'ftp', url: 'x' }, 'kind'],
    ['source', { kind: 'git', url: 'git@host:repo' }, 'url'],
    ['source', { kind: 'oci', url: 'registry/x' }, 'url'],
    ['source', { kind: 'dir', url: '/x', path: '../etc' }, 'path'],
  ];
  for (const [key, value, field] of bad) {
    assert.throws(
      () => validate(key, value),
      (e: unknown) => e instanceof SettingsError && e.field === field,
    );
  }
  assert.deepEqual(
    validate('source', { kind: 'git', url: ' https://git.example/fleet.git ', ref: '', path: '' }),
    {
      kind: 'git',
      url: 'https://git.example/fleet.git',
      path: '.',
    },
  );
});

test('a change is stored, audited with before and after, applied at once, and a reset returns to the config', () => {
  const db = openDb(':memory:');
  const applied: { values: SettingsValues; source: unknown }[] = [];
  const s = createSettings({
    db,
    defaults,
    apply: (values, source) => applied.push({ values, source }),
    makeSource: (spec) => dirSource(spec.url),
  });
  setState(db, 'poll', { token: 'old-source-token' });
  s.update('schedule', '0 * * * *', 'tech', '10.0.0.5');
  s.update('source', { kind: 'dir', url: '/srv/other', path: 'site' }, 'tech');
  const e = s.effective();
  assert.equal(e.schedule, '0 * * * *');
  assert.equal(e.source.url, '/srv/other');
  assert.equal(e.overridden.schedule?.by, 'tech');
  assert.equal(applied.length, 2);
  assert.equal(applied[0]?.source, null, 'a schedule change builds no new source');
  assert.ok(applied[1]?.source, 'a source change hands over a new source');
  assert.equal(getState(db, 'poll'), null, 'the old source’s poll token is dropped');
  const audit = recentAudit(db, 10);
  assert.equal(audit[1]?.action, 'settings.schedule');
  assert.equal(audit[1]?.detail, '"*/5 * * * *" → "0 * * * *"');
  assert.equal(audit[1]?.source, '10.0.0.5');
  s.reset('schedule', 'tech');
  assert.equal(s.effective().schedule, '*/5 * * * *');
  assert.equal(s.effective().overridden.schedule, undefined);
  assert.equal(recentAudit(db, 1)[0]?.action, 'settings.schedule');
  db.close();
});

test('without a way to build sources, the source cannot be changed here', () => {
  const db = openDb(':memory:');
  const s = createSettings({ db, defaults, apply: () => undefined });
  assert.equal(s.effective().sourceEditable, false);
  assert.throws(() => s.update('source', { kind: 'dir', url: '/x', path: '.' }, 'tech'), SettingsError);
  db.close();
});
