// Console settings: validated in plain words, stored over the configuration, audited, applied, and reset.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recentAudit } from '../../server/db/audit.ts';
import { openDb } from '../../server/db/open.ts';
import { dirSource } from '../../server/sources/dir.ts';
import { VerifyError } from '../../server/sources/verify.ts';
import {
  createSettings,
  SettingsError,
  type SettingsValues,
  type SourcePolicy,
  validate,
} from '../../server/sync/settings.ts';
import { pollRecord } from '../../server/sync/state-keys.ts';

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
    // A node without the signature requirement: the console may choose a plain folder.
    sourcePolicy: { requireSignature: false, edit: 'any' },
  });
  pollRecord.set(db, { token: 'old-source-token', digest: 'sha256:old' });
  s.update('schedule', '0 * * * *', 'tech', '10.0.0.5');
  s.update('source', { kind: 'dir', url: '/srv/other', path: 'site' }, 'tech');
  const e = s.effective();
  assert.equal(e.schedule, '0 * * * *');
  assert.equal(e.source.url, '/srv/other');
  assert.equal(e.overridden.schedule?.by, 'tech');
  assert.equal(applied.length, 2);
  assert.equal(applied[0]?.source, null, 'a schedule change builds no new source');
  assert.ok(applied[1]?.source, 'a source change hands over a new source');
  assert.equal(pollRecord.get(db), null, 'the old source’s poll token is dropped');
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

/** Settings over a fresh store with sources built as plain folders, under `policy` (strict when absent). */
function settingsUnder(policy?: SourcePolicy) {
  const db = openDb(':memory:');
  const s = createSettings({
    db,
    defaults,
    apply: () => undefined,
    makeSource: (spec) => dirSource(spec.url),
    ...(policy ? { sourcePolicy: policy } : {}),
  });
  return { db, s };
}

test('while signatures are required the console may choose only http, oci or upload; git and dir are refused and audited', () => {
  for (const policy of [undefined, { requireSignature: true, edit: 'signed' as const }]) {
    const { db, s } = settingsUnder(policy);
    assert.deepEqual(s.effective().sourceKinds, ['http', 'oci', 'upload']);
    for (const spec of [
      { kind: 'git', url: 'https://git.example/fleet.git', path: '.' },
      { kind: 'dir', url: '/srv/unsigned', path: '.' },
    ]) {
      assert.throws(
        () => s.update('source', spec as never, 'admin', '10.0.0.5'),
        (e: unknown) => e instanceof SettingsError && /carries no signature/.test(e.message),
      );
      assert.equal(s.effective().overridden.source, undefined, `${spec.kind} was stored`);
    }
    assert.deepEqual(
      recentAudit(db, 2).map((a) => [a.action, a.result, a.source]),
      [
        ['settings.source', 'refused', '10.0.0.5'],
        ['settings.source', 'refused', '10.0.0.5'],
      ],
    );
    s.update('source', { kind: 'http', url: 'https://fleet.example/site.tar.gz', path: '.' }, 'admin');
    assert.equal(s.effective().source.kind, 'http');
    db.close();
  }
});

test('OUTPOST_CONSOLE_SOURCE_EDIT=signed keeps the console to signed kinds even when signatures are not required', () => {
  const { db, s } = settingsUnder({ requireSignature: false, edit: 'signed' });
  assert.throws(
    () => s.update('source', { kind: 'dir', url: '/srv/x', path: '.' }, 'admin'),
    /dir source carries no signature and the console may choose signed sources only/,
  );
  db.close();
});

test('with OUTPOST_CONSOLE_SOURCE_EDIT=off no source can be chosen, and a reset to the configuration still works', () => {
  const { db, s } = settingsUnder({ requireSignature: true, edit: 'off' });
  assert.equal(s.effective().sourceEditable, false);
  assert.equal(s.effective().sourceRule, 'off');
  assert.throws(
    () => s.update('source', { kind: 'http', url: 'https://fleet.example/x.tar.gz', path: '.' }, 'admin'),
    /turned off/,
  );
  s.reset('source', 'admin');
  assert.equal(s.effective().source.url, '/srv/fleet');
  db.close();
});

test('a console source of an unsigned kind stored earlier fails every fetch with VerifyError while signatures are required', async () => {
  const { db, s } = settingsUnder({ requireSignature: true, edit: 'signed' });
  // As an earlier version (or a hand edit of the store) left it.
  db.prepare(
    "INSERT INTO console_settings (key, value, updated_at, updated_by) VALUES ('source', ?, '2026-11-01T00:00:00Z', 'admin')",
  ).run(JSON.stringify({ kind: 'dir', url: '/srv/unsigned', path: '.' }));
  assert.equal(s.effective().sourceRefused, true);
  const source = s.consoleSource();
  assert.ok(source);
  await assert.rejects(
    source.fetch(),
    (e: unknown) =>
      e instanceof VerifyError &&
      /dir source \/srv\/unsigned was chosen on the console.*OUTPOST_REQUIRE_SIGNATURE/.test(e.message),
  );
  // Without the requirement the same stored choice is simply used.
  const open = createSettings({
    db,
    defaults,
    apply: () => undefined,
    makeSource: (spec) => dirSource(spec.url),
    sourcePolicy: { requireSignature: false, edit: 'any' },
  });
  assert.equal(open.consoleSource()?.url, '/srv/unsigned');
  db.close();
});
