// Console settings — source, schedule, maintenance windows, pause: validated, stored, audited, applied at once.

import { auditDetail } from '../audit-detail.ts';
import { appendAudit } from '../db/audit.ts';
import type { Db } from '../db/open.ts';
import { clearSetting, readSettings, writeSetting } from '../db/settings.ts';
import type { Problem } from '../problem.ts';
import {
  type ConsoleSourceEdit,
  isSignedKind,
  isSourceKind,
  SIGNED_SOURCE_KINDS,
  SOURCE_KINDS,
  type SourceKind,
  sourcePathProblem,
  sourceUrlProblem,
} from '../sources/kinds.ts';
import { defineSource, type Source } from '../sources/types.ts';
import { VerifyError } from '../sources/verify.ts';
import { validCron } from './cron.ts';
import { scheduleProblem } from './schedule.ts';
import { pollRecord } from './state-keys.ts';
import type { SyncPolicy } from './types.ts';

export interface SourcePolicy {
  requireSignature: boolean;
  edit: ConsoleSourceEdit;
}

/** Without a policy from the configuration the strict one applies. */
export const STRICT_SOURCE_POLICY: SourcePolicy = Object.freeze({ requireSignature: true, edit: 'signed' });

export interface SourceSpec {
  kind: SourceKind;
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
  /** False when this process cannot build a new source or the configuration turns source changes off. */
  sourceEditable: boolean;
  /** Why the console may choose what it may: 'none' (no way to build sources here) or the configured rule. */
  sourceRule: ConsoleSourceEdit | 'none';
  /** The kinds the console may choose now (empty when it may choose none). */
  sourceKinds: readonly SourceKind[];
  /** A source chosen on the console that is not signed while signatures are required: every sync refuses it. */
  sourceRefused: boolean;
}

/**
 * Why a setting is not saved, as a code the console says in the reader's words (catalogue
 * `settings.problem.<code>` with the error's `params`); the English message keeps the detail for support and the log.
 */
export const SETTINGS_PROBLEMS = [
  'not-cron',
  'schedule-unusable',
  'not-window',
  'not-kind',
  'bad-url',
  'bad-path',
  'not-here',
  'edit-off',
  'unsigned',
] as const;
export type SettingsProblem = (typeof SETTINGS_PROBLEMS)[number];

/** A setting that does not validate or is refused; `field` names the form field, `code` says why. */
export class SettingsError extends Error implements Problem {
  readonly kind = 'invalid';
  readonly code: SettingsProblem;
  readonly field: string;
  readonly params: Readonly<Record<string, string>>;
  constructor(
    code: SettingsProblem,
    field: string,
    message: string,
    params: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'SettingsError';
    this.code = code;
    this.field = field;
    this.params = params;
  }
}

/** What the console's settings change of a sync: where it fetches from, and when it may apply. */
export interface SyncTarget {
  source: Source;
  sourcePath: string;
  policy?: Partial<SyncPolicy> | undefined;
}

export interface Settings {
  effective(): EffectiveSettings;
  /**
   * `base` (the configuration's sync) with the console's overrides applied: the one way the schedule, the page's
   * "Next sync" preview, `outpost sync --once`, `retry`, `rollback` and `outpost diff` see the settings.
   */
  sync<D extends SyncTarget>(base: D): D;
  /** The source the console's stored choice stands for, or null when the configuration's applies. */
  consoleSource(): Source | null;
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
  /** The configuration's signature requirement and OUTPOST_CONSOLE_SOURCE_EDIT; STRICT_SOURCE_POLICY when absent. */
  sourcePolicy?: SourcePolicy | undefined;
}

/** The kinds the console may choose under `p`. */
export function consoleKinds(p: SourcePolicy): readonly SourceKind[] {
  if (p.edit === 'off') return [];
  if (p.edit === 'signed' || p.requireSignature) return SIGNED_SOURCE_KINDS;
  return SOURCE_KINDS;
}

/** True when a source of this kind, chosen on the console, would bypass the signature requirement. */
function unsignedWhileRequired(p: SourcePolicy, kind: SourceKind): boolean {
  return p.requireSignature && !isSignedKind(kind);
}

export function validate<K extends SettingKey>(key: K, value: unknown): SettingsValues[K] {
  if (key === 'schedule') {
    const s = String(value ?? '').trim();
    if (!validCron(s))
      throw new SettingsError('not-cron', 'schedule', `"${s}" is not a cron expression (5 fields)`, {
        value: s,
      });
    // The same rule as OUTPOST_SCHEDULE: one that never fires, or fires every few seconds, is refused.
    const problem = scheduleProblem(s);
    if (problem) throw new SettingsError('schedule-unusable', 'schedule', problem, { value: s });
    return s as SettingsValues[K];
  }
  if (key === 'maintenanceWindows') {
    const list = (Array.isArray(value) ? value : []).map((w) => String(w).trim()).filter((w) => w !== '');
    const bad = list.find((w) => !validCron(w));
    if (bad !== undefined)
      throw new SettingsError('not-window', 'maintenanceWindows', `"${bad}" is not a cron expression`, {
        value: bad,
      });
    return list as SettingsValues[K];
  }
  if (key === 'paused') return (value === true) as SettingsValues[K];
  const v = (value ?? {}) as Partial<SourceSpec>;
  const kind = String(v.kind ?? '');
  if (!isSourceKind(kind))
    throw new SettingsError('not-kind', 'kind', `"${kind}" is not a source kind`, { value: kind });
  // The configuration checks with the same rules (sources/kinds.ts): one source vocabulary.
  const url = String(v.url ?? '').trim();
  const urlProblem = sourceUrlProblem(kind, url);
  if (urlProblem) throw new SettingsError('bad-url', 'url', urlProblem, { kind });
  const path = String(v.path ?? '.').trim() || '.';
  const pathProblem = sourcePathProblem(path);
  if (pathProblem) throw new SettingsError('bad-path', 'path', pathProblem);
  const spec: SourceSpec = { kind, url, path };
  const ref = String(v.ref ?? '').trim();
  if (ref) spec.ref = ref;
  return spec as SettingsValues[K];
}

export function createSettings(d: SettingsDeps): Settings {
  const policy = d.sourcePolicy ?? STRICT_SOURCE_POLICY;
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
    const kinds = d.makeSource ? consoleKinds(policy) : [];
    return {
      ...values,
      overridden,
      sourceEditable: kinds.length > 0,
      sourceRule: d.makeSource ? policy.edit : 'none',
      sourceKinds: kinds,
      sourceRefused: overridden.source !== undefined && unsignedWhileRequired(policy, values.source.kind),
    };
  };

  /**
   * The source for the console's stored choice, or null when the configuration's applies. A stored choice of
   * an unsigned kind while signatures are required (stored before this rule, or by hand in the store) fails
   * every fetch as VerifyFailed, and the node keeps its last-known-good.
   */
  const consoleSource = (): Source | null => {
    const e = current();
    if (!e.overridden.source || !d.makeSource) return null;
    const { kind, url } = e.source;
    if (!unsignedWhileRequired(policy, kind)) return d.makeSource(e.source);
    const message = `the ${kind} source ${url} was chosen on the console, but ${kind} sources carry no signature and OUTPOST_REQUIRE_SIGNATURE is on: it is refused. Reset the source on the settings page (or choose one of ${SIGNED_SOURCE_KINDS.join(', ')})`;
    return defineSource(
      kind,
      url,
      async () => {
        throw new VerifyError('missing-signature', message);
      },
      // Refused content is an upstream that is broken, not away: nothing to probe for.
      async () => false,
    );
  };

  // The console's source is built once per choice: a source may keep connections and caches between fetches.
  let built: { spec: string; source: Source | null } | null = null;
  const sync = <D extends SyncTarget>(base: D): D => {
    const e = current();
    const policy = { ...base.policy, maintenanceWindows: e.maintenanceWindows };
    if (!e.overridden.source) return { ...base, policy };
    const spec = JSON.stringify(e.source);
    if (built?.spec !== spec) built = { spec, source: consoleSource() };
    if (!built.source) return { ...base, policy };
    return { ...base, source: built.source, sourcePath: e.source.path, policy };
  };

  const applyNow = (sourceChanged: boolean) => {
    const e = current();
    d.apply(e, sourceChanged ? consoleSource() : null);
  };

  /** The console may not set this source: audited as refused, then said in plain words. */
  const refuseSource = (
    spec: SourceSpec,
    actor: string,
    source: string | undefined,
    code: SettingsProblem,
    why: string,
  ) => {
    appendAudit(d.db, {
      actor,
      source,
      action: 'settings.source',
      target: 'source',
      result: 'refused',
      detail: auditDetail('source-refused', { kind: spec.kind, url: spec.url, error: why }),
    });
    throw new SettingsError(code, 'kind', why, { kind: spec.kind, kinds: SIGNED_SOURCE_KINDS.join(', ') });
  };

  /** After a setting was stored or cleared: audited, and in force at once. */
  const changed = (key: SettingKey, actor: string, source: string | undefined, detail: string) => {
    // A poll token belongs to the old source: the new one must be fetched whole.
    if (key === 'source') pollRecord.clear(d.db);
    appendAudit(d.db, { actor, source, action: `settings.${key}`, target: key, result: 'ok', detail });
    applyNow(key === 'source');
  };

  return {
    effective: current,
    consoleSource,
    sync,
    update(key, value, actor, source) {
      if (key === 'source' && !d.makeSource)
        throw new SettingsError('not-here', 'url', 'the source cannot be changed here');
      const clean = validate(key, value);
      const before = current()[key];
      if (key === 'source') {
        const spec = clean as SourceSpec;
        if (policy.edit === 'off')
          refuseSource(
            spec,
            actor,
            source,
            'edit-off',
            'changing the source on the console is turned off (OUTPOST_CONSOLE_SOURCE_EDIT=off): change it in the configuration file on the node',
          );
        if (!consoleKinds(policy).includes(spec.kind))
          refuseSource(
            spec,
            actor,
            source,
            'unsigned',
            `a ${spec.kind} source carries no signature and ${policy.requireSignature ? 'signatures are required (OUTPOST_REQUIRE_SIGNATURE)' : 'the console may choose signed sources only (OUTPOST_CONSOLE_SOURCE_EDIT=signed)'}: on the console choose ${SIGNED_SOURCE_KINDS.join(', ')}, or set a ${spec.kind} source in the configuration file`,
          );
        d.makeSource?.(spec); // fails here, before anything is stored
      }
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
        auditDetail('setting-reset', {
          before: JSON.stringify(before),
          after: JSON.stringify(d.defaults()[key]),
        }),
      );
    },
  };
}
