// Display helpers for the templates, bound to one language: times, ages, sizes, and reasons in plain words.

import { HEALTH_PHRASES } from '../apply/health/phrases.ts';
import { AUDIT_DETAIL_SHAPES } from '../audit-detail.ts';
import { ACCESS_CODES } from '../auth/access-error.ts';
import { DEMO_REASONS } from '../config-sections.ts';
import { PROBLEM_KINDS } from '../problem.ts';
import {
  CAUSE_CODES,
  HEALTH_STATES,
  REASON_CODES as STATE_REASONS,
  SYNC_STATES,
  WORDS,
} from '../sync/node-state.ts';
import { CHANGE_ACTIONS, FAILURE_REASONS, RUN_RESULTS, STAGES, TRIGGERS } from '../sync/run.ts';
import { RUN_MESSAGE_SHAPES } from '../sync/run-message.ts';
import { SETTINGS_PROBLEMS } from '../sync/settings.ts';
import { TUNNEL_PROBLEMS } from '../tunnel/model.ts';
import { type Locale, type Translator, translator } from './i18n/index.ts';
import { formatClock, formatDateTime, formatNumber, formatPercent } from './i18n/numbers.ts';

// Every key the helpers below build at run time; the catalogue test checks each exists in every language. The run
// vocabulary (reasons, stages, triggers, results, change actions) is the domain's, in sync/run.ts.
export const HEALTH = ['Healthy', 'Progressing', 'Degraded', 'Unknown'] as const;
export const REVISION_STATUSES = ['stored', 'applied', 'failed'] as const;
export const WORKLOAD_STATES = ['ok', 'progressing', 'failing'] as const;
export const POD_PHASES = ['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown'] as const;
export const OVERALL_STATES = ['ok', 'warn', 'bad', 'none'] as const;
/** One per reason the state model gives (server/sync/node-state.ts). */
export const WHY_KEYS = STATE_REASONS.map((r) => `why.${r}`);
/** Keys built at run time (by the helpers here, the models, or `'prefix.' + value` in templates). */
export const DYNAMIC_KEYS: readonly string[] = [
  ...OVERALL_STATES.map((s) => `state.${s}`),
  ...WHY_KEYS,
  ...POD_PHASES.map((p) => `phase.${p}`),
  ...['B', 'KB', 'MB', 'GB', 'TB'].map((u) => `unit.${u}`),
  ...FAILURE_REASONS.map((c) => `reason.${c}`),
  ...STAGES.map((s) => `stage.${s}`),
  ...TRIGGERS.map((t) => `trigger.${t}`),
  ...RUN_RESULTS.map((r) => `result.${r}`),
  ...HEALTH.map((h) => `health.${h}`),
  ...CHANGE_ACTIONS.map((c) => `change.${c}`),
  ...REVISION_STATUSES.map((s) => `revstatus.${s}`),
  ...WORKLOAD_STATES.map((s) => `wstate.${s}`),
  // The node state model (server/sync/node-state.ts).
  ...WORDS.map((w) => `word.${w}`),
  ...SYNC_STATES.map((s) => `syncState.${s}`),
  ...HEALTH_STATES.map((h) => `healthState.${h}`),
  ...CAUSE_CODES.map((c) => `cause.${c}`),
  ...Object.keys(DEMO_REASONS).map((k) => `demo.reason.${k}`),
  ...Object.keys(HEALTH_PHRASES).map((k) => `health.say.${k}`),
  // Access refusals (server/auth/access-error.ts), said by web/refusal.ts.
  ...ACCESS_CODES.map((c) => `access.${c}`),
  // The audit log's own detail lines (server/audit-detail.ts), said by web/models/audit-detail.ts.
  ...AUDIT_DETAIL_SHAPES.map((s) => `audit.d.${s}`),
  // What went wrong, said apart from the error's own words (web/i18n/problems.ts).
  ...PROBLEM_KINDS.map((k) => `problem.${k}`),
  ...SETTINGS_PROBLEMS.map((c) => `settings.problem.${c}`),
  ...TUNNEL_PROBLEMS.map((c) => `tunnel.problem.${c}`),
  // What a run that did not fail did (server/sync/run-message.ts), said by web/models/run-message.ts.
  ...RUN_MESSAGE_SHAPES.map((s) => `run.m.${s}`),
];

export interface Format {
  locale: Locale;
  /** Date and time with the zone, in the language's order. */
  time(iso: string | number | null | undefined): string;
  /** Time of day only (the kiosk's "updated"). */
  clock(iso?: string | number | null): string;
  /** "5 min ago". */
  age(iso: string | null | undefined, now?: number): string;
  /** How long something took: "850 ms", "12.3 s", "2 min 5 s". */
  duration(ms: number | null | undefined): string;
  /** A long span: "3 d 4 h", "5 h 12 min". */
  span(seconds: number | null | undefined): string;
  bytes(n: number | null | undefined): string;
  rate(bytesPerSecond: number | null | undefined): string;
  percent(share: number | null | undefined): string;
  number(n: number): string;
  temp(c: number | null | undefined): string;
  reason(code: string | null | undefined): string;
  stageLabel(stage: string): string;
  trigger(t: string): string;
  result(r: string): string;
  /** A code in words when `prefix.code` is in the catalogue (audit actions and results), else the code itself. */
  known(prefix: string, code: string): string;
  /** An object's status detail: our own phrase in the reader's language, the cluster's words as they are. */
  healthDetail(h: {
    message: string;
    say?: { key: string; params: Readonly<Record<string, string | number>> };
  }): string;
  /** Why the console runs on the simulator, in words. */
  demoReason(reason: string): string;
}

const formats = new Map<Locale, Format>();

export function createFormat(tr: Translator): Format {
  const cached = formats.get(tr.locale);
  if (cached) return cached;
  const { t } = tr;
  const { locale } = tr;
  const num0 = (n: number) => formatNumber(locale, n, 0);
  const num1 = (n: number) => formatNumber(locale, n, 1);
  const UNITS = ['unit.B', 'unit.KB', 'unit.MB', 'unit.GB', 'unit.TB'];
  const bytes = (n: number | null | undefined) => {
    if (n === null || n === undefined || !Number.isFinite(n)) return '—';
    let v = n;
    let u = 0;
    while (v >= 1024 && u < UNITS.length - 1) {
      v /= 1024;
      u++;
    }
    return t(UNITS[u] as string, { n: (u === 0 ? num0 : num1)(v) });
  };
  const known = (prefix: string, code: string) => {
    const key = `${prefix}.${code}`;
    const text = t(key);
    return text === key ? code : text;
  };
  const f: Format = {
    locale: tr.locale,
    time: (iso) =>
      iso === null || iso === undefined || iso === '' ? '—' : formatDateTime(locale, new Date(iso)),
    clock: (iso) => formatClock(iso === null || iso === undefined ? new Date() : new Date(iso)),
    age(iso, now = Date.now()) {
      if (!iso) return t('age.never');
      const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
      if (s < 60) return t('age.s', { n: s });
      if (s < 3600) return t('age.m', { n: Math.floor(s / 60) });
      if (s < 86400) return t('age.hm', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
      return t('age.d', { n: Math.floor(s / 86400) });
    },
    duration(ms) {
      if (ms === null || ms === undefined) return '—';
      if (ms < 1000) return t('dur.ms', { n: num0(ms) });
      if (ms < 60_000) return t('dur.s', { n: num1(ms / 1000) });
      return t('dur.ms2', { m: Math.floor(ms / 60_000), s: Math.round((ms % 60_000) / 1000) });
    },
    span(seconds) {
      if (seconds === null || seconds === undefined) return '—';
      const d = Math.floor(seconds / 86400);
      const h = Math.floor((seconds % 86400) / 3600);
      const m = Math.floor((seconds % 3600) / 60);
      if (d > 0) return t('span.dh', { d, h });
      if (h > 0) return t('span.hm', { h, m });
      return t('span.m', { m });
    },
    bytes,
    rate: (v) => (v === null || v === undefined ? '—' : t('unit.perSecond', { v: bytes(v) })),
    percent: (share) => (share === null || share === undefined ? '—' : formatPercent(locale, share)),
    number: num0,
    temp: (c) => (c === null || c === undefined ? '—' : t('unit.celsius', { n: num0(c) })),
    reason: (code) => (code ? known('reason', code) : ''),
    stageLabel: (stage) => known('stage', stage),
    trigger: (x) => known('trigger', x),
    result: (r) => known('result', r),
    known,
    healthDetail: (h) => (h.say ? t(`health.say.${h.say.key}`, h.say.params) : h.message),
    demoReason(reason) {
      const key = Object.entries(DEMO_REASONS).find(([, text]) => text === reason)?.[0];
      return key ? t(`demo.reason.${key}`) : reason;
    },
  };
  formats.set(tr.locale, f);
  return f;
}

/** English helpers, for callers outside a request (logs, the CLI). */
const english = createFormat(translator('en'));
export const time = english.time;
export const age = english.age;
export const reason = english.reason;
export const stageLabel = english.stageLabel;
