// Console settings — source, schedule, maintenance windows, pause: validated, stored, audited, applied at once.

import { appendAudit } from '../db/audit.ts';
import type { Db } from '../db/open.ts';
import { clearSetting, readSettings, writeSetting } from '../db/settings.ts';
import { clearState } from '../db/state.ts';
import type { Source } from '../sources/types.ts';
import { validCron } from './cron.ts';
import { scheduleProblem } from './schedule.ts';

export const SOURCE_KINDS = ['git', 'http', 'oci', 'upload', 'dir'] as const;

export interface SourceSpec {
  kind: (typeof SOURCE_KINDS)[number];
  url: string;
  ref?: string;
  path: string;
}

export interface SettingsValues {
  source: SourceSpec;
  schedule: string;
  maintenanceWindows: string[];
  paused: boolean;
}

export type SettingKey = keyof SettingsValues;
export const SETTING_KEYS: readonly SettingKey[] = ['source', 'schedule', 'maintenanceWindows', 'paused'];

export interface EffectiveSettings extends SettingsValues {
  /** Which values were set on the console (and by whom), the rest come from the configuration. */
  overridden: Partial<Record<SettingKey, { at: string; by: string }>>;
  /** False when this process cannot build a new source (the source form is then read-only). */
  sourceEditable: boolean;
}

/** A setting that does not validate; `field` names the form field, the message says why in plain words. */
export class SettingsError extends Error {
  readonly status = 400;
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'SettingsError';
    this.field = field;
  }
}

export interface Settings {
  effective(): EffectiveSettings;
  update<K extends SettingKey>(key: K, value: SettingsValues[K], actor: string, source?: string): void;
  /** Back to the configuration file's value. */
  reset(key: SettingKey, actor: string, source?: string): void;
}

export interface SettingsDeps {
  db: Db;
  /** The configuration's values: what a reset returns to. */
  defaults: () => SettingsValues;
  /** Makes the running service use these values now. */
  apply: (values: SettingsValues, source: Source | null) => void;
  makeSource?: ((spec: SourceSpec) => Source) | undefined;
}

export function validate<K extends SettingKey>(key: K, value: unknown): SettingsValues[K] {
  if (key === 'schedule') {
    const s = String(value ?? '').trim();
    if (!validCron(s)) throw new SettingsError('schedule', `"${s}" is not a cron expression (5 fields)`);
    // The same rule as OUTPOST_SCHEDULE: one that never fires, or fires every few seconds, is refused.
    const problem = scheduleProblem(s);
    if (problem) throw new SettingsError('schedule', problem);
    return s as SettingsValues[K];
  }
  if (key === 'maintenanceWindows') {
    const list = (Array.isArray(value) ? value : []).map((w) => String(w).trim()).filter((w) => w !== '');
    const bad = list.find((w) => !validCron(w));
    if (bad !== undefined) throw new SettingsError('maintenanceWindows', `"${bad}" is not a cron expression`);
    return list as SettingsValues[K];
  }
  if (key === 'paused') return (value === true) as SettingsValues[K];
  const v = (value ?? {}) as Partial<SourceSpec>;
  const kind = String(v.kind ?? '') as SourceSpec['kind'];
  if (!SOURCE_KINDS.includes(kind)) throw new SettingsError('kind', `"${kind}" is not a source kind`);
  const url = String(v.url ?? '').trim();
  if (!url) throw new SettingsError('url', 'say where the desired state is published');
  if ((kind === 'git' || kind === 'http') && !/^https?:\/\/[^/\s]+/.test(url))
    throw new SettingsError('url', `a ${kind} source needs an http:// or https:// address`);
  if (kind === 'oci' && !/^oci(\+https?)?:\/\/[^/\s]+\/\S+/.test(url))
    throw new SettingsError('url', 'an oci source looks like oci://registry.example.com/fleet/site:tag');
  const path = String(v.path ?? '.').trim() || '.';
  if (path.startsWith('/') || path.split(/[\\/]/).includes('..'))
    throw new SettingsError('path', `"${path}" must be a relative path inside the source`);
  const spec: SourceSpec = { kind, url, path };
  const ref = String(v.ref ?? '').trim();
  if (ref) spec.ref = ref;
  return spec as SettingsValues[K];
}

export function createSettings(d: SettingsDeps): Settings {
  const current = (): EffectiveSettings => {
    const stored = readSettings(d.db);
    const values = { ...d.defaults() } as SettingsValues;
    const overridden: EffectiveSettings['overridden'] = {};
    for (const key of SETTING_KEYS) {
      const s = stored.get(key);
      if (!s) continue;
      try {
        (values as unknown as Record<string, unknown>)[key] = validate(key, s.value);
        overridden[key] = { at: s.updatedAt, by: s.updatedBy };
      } catch {
        // A stored value this version no longer accepts: the configuration's value applies.
      }
    }
    return { ...values, overridden, sourceEditable: d.makeSource !== undefined };
  };

  const applyNow = (sourceChanged: boolean) => {
    const e = current();
    d.apply(e, sourceChanged && d.makeSource ? d.makeSource(e.source) : null);
  };

  /** After a setting was stored or cleared: audited, and in force at once. */
  const changed = (key: SettingKey, actor: string, source: string | undefined, detail: string) => {
    // A poll token belongs to the old source: the new one must be fetched whole.
    if (key === 'source') clearState(d.db, 'poll');
    appendAudit(d.db, { actor, source, action: `settings.${key}`, target: key, result: 'ok', detail });
    applyNow(key === 'source');
  };

  return {
    effective: current,
    update(key, value, actor, source) {
      if (key === 'source' && !d.makeSource)
        throw new SettingsError('url', 'the source cannot be changed here');
      const clean = validate(key, value);
      const before = current()[key];
      if (key === 'source') d.makeSource?.(clean as SourceSpec); // fails here, before anything is stored
      writeSetting(d.db, key, clean, actor);
      changed(key, actor, source, `${JSON.stringify(before)} → ${JSON.stringify(clean)}`);
    },
    reset(key, actor, source) {
      const before = current()[key];
      clearSetting(d.db, key);
      changed(
        key,
        actor,
        source,
        `${JSON.stringify(before)} → configuration (${JSON.stringify(d.defaults()[key])})`,
      );
    },
  };
}
