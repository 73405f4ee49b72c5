// The reader of process.env (with config-file.ts, which reads the optional YAML file): merges the file with the
// OUTPOST_* variables and validates.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod/v3';
import { type ClusterTarget, SERVICE_ACCOUNT_DIR } from './cluster/kubeconfig.ts';
import { ConfigError } from './config-error.ts';
import { DEFAULT_DATA_DIR, readConfigFile } from './config-file.ts';
import {
  type AccessConfig,
  accessConfig,
  accessSchema,
  booleanish,
  DEMO_REASONS,
  duration,
  orDefault,
  parseDuration,
  reportConfig,
  reportSchema,
  tlsConfig,
  tlsSchema,
  tunnelConfig,
  tunnelSchema,
} from './config-sections.ts';
import { DEFAULT_RENDER_TIMEOUT_MS, type RenderLimits } from './render/off-thread.ts';
import {
  CONSOLE_SOURCE_EDIT,
  type ConsoleSourceEdit,
  SOURCE_KINDS,
  type SourceKind,
  sourcePathProblem,
  sourceUrlProblem,
} from './sources/kinds.ts';
import { parsePins } from './sources/pins.ts';
import { resolveTrustedKey } from './sources/verify.ts';
import { DEFAULT_POLICY, type SyncPolicy } from './sync/policy.ts';
import type { VarsSettings } from './sync/vars.ts';

export { type AccessConfig, parseDuration };

import type { ReportConfig } from './report/model.ts';
import { validCron } from './sync/cron.ts';
import { scheduleProblem } from './sync/schedule.ts';
import type { TunnelConfig } from './tunnel/model.ts';

const MIB = 1024 * 1024;
const UNITS: Record<string, number> = { '': 1, k: 1024, m: MIB, g: 1024 * MIB };

/** A size in bytes: a number, or `512k`, `64m`, `1g` (binary units; `MiB`, `MB` and `m` mean the same). */
const byteSize = z
  .union([
    z.number().int().min(0),
    z.string().regex(/^\d+\s*([kmg](i?b)?)?$/i, 'a size such as 64m, 512k or 1g (bytes when no unit)'),
  ])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = /^(\d+)\s*([kmg]?)/i.exec(v) as RegExpExecArray;
    return Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1);
  });

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Where each setting comes from: env name → path in the YAML file. */
const ENV_MAP: Record<string, string> = {
  OUTPOST_PORT: 'port',
  OUTPOST_HOST: 'host',
  OUTPOST_DATA_DIR: 'dataDir',
  OUTPOST_SOURCE_KIND: 'source.kind',
  OUTPOST_SOURCE_URL: 'source.url',
  OUTPOST_SOURCE_REF: 'source.ref',
  OUTPOST_SOURCE_PATH: 'source.path',
  OUTPOST_SOURCE_AUTH_FILE: 'source.authFile',
  OUTPOST_SOURCE_TLS_PIN: 'source.tlsPin',
  OUTPOST_TRUSTED_KEYS: 'trustedKeys',
  OUTPOST_REQUIRE_SIGNATURE: 'requireSignature',
  OUTPOST_CONSOLE_SOURCE_EDIT: 'consoleSourceEdit',
  OUTPOST_FETCH_TIMEOUT: 'fetchTimeout',
  OUTPOST_RENDER_TIMEOUT: 'renderTimeout',
  OUTPOST_SCHEDULE: 'schedule',
  OUTPOST_DEMO: 'demo',
  OUTPOST_LOG_LEVEL: 'logLevel',
  OUTPOST_NODE_NAME: 'nodeName',
  OUTPOST_SITE_ID: 'siteId',
  OUTPOST_HEALTH_TIMEOUT: 'healthTimeout',
  OUTPOST_CONFLICTS: 'conflicts',
  OUTPOST_MAINTENANCE_WINDOWS: 'maintenanceWindows',
  OUTPOST_TIME_ZONE: 'timeZone',
  OUTPOST_APPLY_CONCURRENCY: 'applyConcurrency',
  OUTPOST_DRIFT: 'drift',
  OUTPOST_RETENTION: 'retention',
  OUTPOST_MAX_PRUNE_RATIO: 'maxPruneRatio',
  OUTPOST_FULL_FETCH_INTERVAL: 'fullFetchInterval',
  OUTPOST_INIT_EMPTY_DB: 'initEmptyDb',
  OUTPOST_VARS: 'vars',
  OUTPOST_VARS_FROM: 'varsFrom',
  OUTPOST_STRICT_VARS: 'strictVars',
  OUTPOST_SIM_FAIL_IMAGES: 'sim.failImages',
  OUTPOST_SIM_READY_DELAY: 'sim.readyDelay',
  OUTPOST_SIM_LATENCY: 'sim.latency',
  OUTPOST_TUNNEL_HOST: 'tunnel.host',
  OUTPOST_TUNNEL_PORT: 'tunnel.port',
  OUTPOST_TUNNEL_USER: 'tunnel.user',
  OUTPOST_TUNNEL_KEY_FILE: 'tunnel.keyFile',
  OUTPOST_TUNNEL_HOST_KEY: 'tunnel.hostKey',
  OUTPOST_TUNNEL_REMOTE_PORT: 'tunnel.remotePort',
  OUTPOST_TUNNEL_MAX: 'tunnel.max',
  OUTPOST_REPORT_MQTT_URL: 'report.mqttUrl',
  OUTPOST_REPORT_MQTT_PREFIX: 'report.mqttPrefix',
  OUTPOST_REPORT_MQTT_CA_FILE: 'report.mqttCaFile',
  OUTPOST_REPORT_MQTT_AUTH_FILE: 'report.mqttAuthFile',
  OUTPOST_REPORT_WEBHOOK_URL: 'report.webhookUrl',
  OUTPOST_REPORT_WEBHOOK_SECRET_FILE: 'report.webhookSecretFile',
  OUTPOST_REPORT_WEBHOOK_TYPES: 'report.webhookTypes',
  OUTPOST_REPORT_WEBHOOK_SEVERITY: 'report.webhookSeverity',
  OUTPOST_REPORT_BACKLOG: 'report.backlog',
  OUTPOST_REPORT_HEARTBEAT: 'report.heartbeat',
  OUTPOST_SAMPLE_INTERVAL: 'samples.interval',
  OUTPOST_SAMPLE_RETENTION: 'samples.retention',
  OUTPOST_HISTORY_DAYS: 'store.historyDays',
  OUTPOST_STORE_LIMIT: 'store.limit',
  OUTPOST_STORE_RESERVE: 'store.reserve',
  OUTPOST_STORE_CHECK: 'store.check',
  OUTPOST_ENROLLMENT_CODE_FILE: 'access.enrollmentCodeFile',
  OUTPOST_ENROLLMENT_TTL: 'access.enrollmentTtl',
  OUTPOST_SESSION_IDLE: 'access.sessionIdle',
  OUTPOST_SESSION_MAX: 'access.sessionMax',
  OUTPOST_METRICS_TOKEN_FILE: 'access.metricsTokenFile',
  OUTPOST_KIOSK_ADDRESSES: 'access.kioskAddresses',
  OUTPOST_TRUSTED_PROXIES: 'access.trustedProxies',
  OUTPOST_BASE_PATH: 'access.basePath',
  OUTPOST_ALLOWED_HOSTS: 'access.allowedHosts',
  OUTPOST_TLS_CERT_FILE: 'tls.certFile',
  OUTPOST_TLS_KEY_FILE: 'tls.keyFile',
};

const renderTimeout = orDefault(duration, DEFAULT_RENDER_TIMEOUT_MS);

/** A duration, or 0 (a bare 0 has no unit): the simulator's delays. */
const durationOrZero = z
  .union([z.literal('0'), z.literal(0), duration])
  .transform((v) => (v === '0' || v === 0 ? 0 : v));

/** Whether the runtime knows this IANA time zone (node-cron reads schedules through Intl with it). */
function knownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const schema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  host: z.string().min(1).default('0.0.0.0'),
  dataDir: z.string().min(1).default(DEFAULT_DATA_DIR),
  source: z
    .object({
      kind: z.enum(SOURCE_KINDS).optional(),
      url: z.string().min(1).optional(),
      ref: z.string().min(1).optional(),
      path: z.string().default('.'),
      authFile: z.string().min(1).optional(),
      tlsPin: z.string().min(1).optional(),
    })
    .default({}),
  schedule: z
    .string()
    .default('*/5 * * * *')
    .superRefine((s, ctx) => {
      const problem = scheduleProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  demo: booleanish.default(false),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  nodeName: z.string().min(1).default(hostname()),
  siteId: z.string().min(1).optional(),
  healthTimeout: orDefault(duration, 300_000),
  renderTimeout,
  conflicts: z.enum(['report', 'force']).default('report'),
  // An IANA name ("Europe/Berlin"): a window "0 2 * * *" then means 2 am at the site, whatever the node's clock.
  timeZone: z
    .string()
    .trim()
    .min(1)
    .refine(knownTimeZone, 'an IANA time zone such as Europe/Berlin or Asia/Shanghai')
    .optional(),
  // Semicolon-separated in the environment (cron fields contain commas), a list in the file.
  maintenanceWindows: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(';')).map((w) => w.trim()).filter((w) => w.length > 0))
    .refine((ws) => ws.every((w) => validCron(w)), {
      message: 'each window must be a valid cron expression',
    })
    .default([]),
  applyConcurrency: z.coerce.number().int().min(1).max(64).default(8),
  drift: z.enum(['correct', 'report']).default('correct'),
  retention: z.coerce.number().int().min(1).max(1000).default(20),
  // Share of the running objects one prune may delete without `sync --allow-mass-prune`: 0.5 = half.
  maxPruneRatio: z.coerce
    .number()
    .min(0, 'a share between 0 and 1, such as 0.5')
    .max(1, 'a share between 0 and 1, such as 0.5')
    .default(DEFAULT_POLICY.maxPruneRatio),
  fullFetchInterval: orDefault(duration, 24 * 3_600_000),
  initEmptyDb: booleanish.default(false),
  // `${VAR}` values: K=V pairs (comma-separated in the environment) or a map in the file.
  vars: z
    .union([z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))])
    .transform((v, ctx) => {
      if (typeof v !== 'string') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
      const out: Record<string, string> = {};
      for (const pair of v.split(',').filter((p) => p.trim() !== '')) {
        const eq = pair.indexOf('=');
        if (eq <= 0) ctx.addIssue({ code: 'custom', message: `"${pair}" is not KEY=VALUE` });
        else out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
      }
      return out;
    })
    .default({}),
  // A ConfigMap of variables: "namespace/name" (append "?" when it may be missing) or {namespace, name, optional}.
  varsFrom: z
    .union([
      z.string().regex(/^[a-z0-9-]+\/[a-z0-9.-]+\??$/, 'namespace/name of a ConfigMap'),
      z.object({ namespace: z.string(), name: z.string(), optional: z.boolean().default(false) }),
    ])
    .transform((v) => {
      if (typeof v !== 'string') return v;
      const [namespace, name] = v.replace(/\?$/, '').split('/') as [string, string];
      return { namespace, name, optional: v.endsWith('?') };
    })
    .optional(),
  strictVars: booleanish.default(false),
  // The simulator (demo mode and `outpost sim`) only.
  sim: z
    .object({
      failImages: z
        .union([z.string(), z.array(z.string())])
        .transform((v) =>
          (Array.isArray(v) ? v : v.split(',')).map((g) => g.trim()).filter((g) => g.length > 0),
        )
        .default(['*:broken*']),
      readyDelay: orDefault(durationOrZero, 1000),
      latency: orDefault(durationOrZero, 0),
    })
    .default({}),
  trustedKeys: z.union([z.string(), z.array(z.string())]).optional(),
  requireSignature: booleanish.default(true),
  consoleSourceEdit: z.enum(CONSOLE_SOURCE_EDIT).optional(),
  fetchTimeout: orDefault(duration, 60_000),
  tunnel: tunnelSchema,
  report: reportSchema,
  // Host readings for the console's sparklines: how often, and how long they are kept (days allowed: 7d).
  samples: z
    .object({
      interval: orDefault(duration, 15_000),
      retention: orDefault(
        z
          .union([
            z.number().int().positive(),
            z.string().regex(/^\d+(s|m|h|d)$/, 'a duration such as 48h or 7d'),
          ])
          .transform((v) =>
            typeof v === 'number'
              ? v * 1000
              : v.endsWith('d')
                ? Number(v.slice(0, -1)) * 86_400_000
                : parseDuration(v),
          ),
        7 * 86_400_000,
      ),
    })
    .default({}),
  // Bounds on the store (see docs/failure-modes.md): history by age and the files by size, and the reserve
  // released when the data volume fills (sized for the essential writes, not history).
  store: z
    .object({
      historyDays: z.coerce.number().int().min(1).max(3650).default(30),
      limit: byteSize.default(256 * MIB).refine((n) => n >= 8 * MIB, { message: 'at least 8m' }),
      reserve: byteSize.default(8 * MIB),
      check: orDefault(duration, 30_000),
    })
    .default({}),
  access: accessSchema,
  tls: tlsSchema,
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  source: {
    kind: SourceKind;
    url: string;
    ref?: string;
    path: string;
    /** A file with `user:password` or a token (a mounted Secret); read on every fetch. */
    authFile?: string;
    /** sha256 pins of the source host's key or certificate; a pin replaces CA validation. */
    tlsPin?: string;
  };
  schedule: string;
  demo: boolean;
  /** Why demo mode was chosen, for the banner and the log. */
  demoReason?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  nodeName: string;
  siteId?: string;
  /** `${VAR}` substitution: values, a ConfigMap, strictness, and the node facts it adds. */
  vars: VarsSettings;
  /** How the reconciler applies: health timeout, conflicts, maintenance windows, concurrency. */
  policy: SyncPolicy;
  /** OUTPOST_INIT_EMPTY_DB: start over an existing data directory whose database file is empty (a new node). */
  initEmptyDb: boolean;
  /** minisign public keys (base64 key lines) any of which may sign bundles. */
  trustedKeys: string[];
  /** Refuse unsigned bundles (http, oci, upload); off only when explicitly turned off. */
  requireSignature: boolean;
  /** Which sources the console may choose: signed kinds only (the default while signatures are required), none, or any. */
  consoleSourceEdit: ConsoleSourceEdit;
  /** Deadline for one request to the source, in ms. */
  fetchTimeout: number;
  /** Deadline of one render (a worker killed when it passes), in ms. */
  render: RenderLimits;
  /** Simulator behaviour (demo mode, `outpost sim`): images that never pull, readiness delay, latency. */
  sim: { failImages: string[]; readyDelayMs: number; latencyMs: number };
  /** How to reach Kubernetes: in-cluster, a kubeconfig file, or the in-process simulator. */
  cluster: ClusterTarget | { mode: 'demo' };
  configFile?: string;
  /** Remote support tunnel to a pinned bastion; null when OUTPOST_TUNNEL_HOST is unset. */
  tunnel: TunnelConfig | null;
  /** Host samples for the console: every intervalMs, kept retentionMs. */
  samples: { intervalMs: number; retentionMs: number };
  /** Upward reports (MQTT, webhooks); null when neither URL is set. */
  report: ReportConfig | null;
  /**
   * The store's bounds: history older than historyMs goes, the files are trimmed to limitBytes, reserveBytes
   * are set aside for when the volume fills, and the volume is checked every checkMs.
   */
  store: { historyMs: number; limitBytes: number; reserveBytes: number; checkMs: number };
  /** Who may reach the console and how (see docs/access.md). */
  access: AccessConfig;
  /** Certificate and key files for HTTPS; null serves plain HTTP. */
  tls: { certFile: string; keyFile: string } | null;
}

/** The sample fleet repo shipped with the project, used in demo mode. */
export const DEMO_FLEET_DIR = path.resolve(import.meta.dirname, '..', 'demo', 'fleet');

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

function envNameFor(dotted: string): string {
  return Object.entries(ENV_MAP).find(([, p]) => p === dotted)?.[0] ?? dotted;
}

/** Pick how to reach Kubernetes, in the order in-cluster → KUBECONFIG → demo. */
function chooseCluster(
  env: NodeJS.ProcessEnv,
  forceDemo: boolean,
): { cluster: Config['cluster']; demoReason?: string } {
  if (forceDemo) return { cluster: { mode: 'demo' }, demoReason: DEMO_REASONS.forced };
  const host = env.KUBERNETES_SERVICE_HOST;
  if (host && existsSync(path.join(SERVICE_ACCOUNT_DIR, 'token'))) {
    return { cluster: { mode: 'in-cluster', host, port: env.KUBERNETES_SERVICE_PORT ?? '443' } };
  }
  const kubeconfig = env.KUBECONFIG?.split(path.delimiter).find((p) => p.length > 0);
  if (kubeconfig) return { cluster: { mode: 'kubeconfig', path: kubeconfig } };
  return {
    cluster: { mode: 'demo' },
    demoReason: DEMO_REASONS.noCluster,
  };
}

/** Only the render's limits, for `outpost render`, which needs no other setting (nor the config file). */
export function loadRenderLimits(env: NodeJS.ProcessEnv = process.env): RenderLimits {
  const parsed = renderTimeout.safeParse(env.OUTPOST_RENDER_TIMEOUT || undefined);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `OUTPOST_RENDER_TIMEOUT: ${issue.message}`));
  }
  return { timeoutMs: parsed.data };
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: assembles the validated configuration, collecting every problem in one list so all are reported at once; each branch is one setting.
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = env.OUTPOST_CONFIG ? readConfigFile(env.OUTPOST_CONFIG) : {};
  for (const [name, dotted] of Object.entries(ENV_MAP)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, dotted, value);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const dotted = issue.path.join('.');
      return `${envNameFor(dotted)}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const c = parsed.data;
  const { cluster, demoReason } = chooseCluster(env, c.demo);
  const demo = cluster.mode === 'demo';
  const problems: string[] = [];
  let source: Config['source'];
  if (c.source.kind && c.source.url) {
    source = { kind: c.source.kind, url: c.source.url, path: c.source.path };
    if (c.source.ref) source.ref = c.source.ref;
  } else if (c.source.kind === 'upload') {
    source = { kind: 'upload', url: path.join(path.resolve(c.dataDir), 'uploads'), path: c.source.path };
  } else if (demo && !c.source.kind && !c.source.url) {
    source = {
      kind: 'dir',
      url: DEMO_FLEET_DIR,
      path: c.source.path === '.' ? 'sites/berlin' : c.source.path,
    };
  } else {
    if (!c.source.kind) problems.push(`OUTPOST_SOURCE_KIND: required (one of ${SOURCE_KINDS.join(', ')})`);
    if (!c.source.url) problems.push('OUTPOST_SOURCE_URL: required (where the desired state is published)');
    source = { kind: 'dir', url: '', path: c.source.path };
  }
  if (c.source.authFile) source.authFile = c.source.authFile;
  if (c.source.tlsPin) {
    source.tlsPin = c.source.tlsPin;
    try {
      parsePins(c.source.tlsPin);
    } catch (err) {
      problems.push(`OUTPOST_SOURCE_TLS_PIN: ${(err as Error).message}`);
    }
  }
  // The console's settings check with the same rule (sources/kinds.ts): one source vocabulary.
  const urlProblem = source.url === '' ? null : sourceUrlProblem(source.kind, source.url);
  if (urlProblem) problems.push(`OUTPOST_SOURCE_URL: ${urlProblem}`);
  const trustedKeys: string[] = [];
  const keyEntries = Array.isArray(c.trustedKeys) ? c.trustedKeys : (c.trustedKeys ?? '').split(',');
  for (const entry of keyEntries.map((k) => k.trim()).filter((k) => k !== '')) {
    try {
      trustedKeys.push(resolveTrustedKey(entry));
    } catch (err) {
      problems.push(`OUTPOST_TRUSTED_KEYS: ${(err as Error).message}`);
    }
  }
  const pathProblem = sourcePathProblem(source.path);
  if (pathProblem) problems.push(`OUTPOST_SOURCE_PATH: ${pathProblem}`);
  const consoleSourceEdit = c.consoleSourceEdit ?? (c.requireSignature ? 'signed' : 'any');
  if (consoleSourceEdit === 'any' && c.requireSignature) {
    problems.push(
      'OUTPOST_CONSOLE_SOURCE_EDIT: "any" would let the console choose unsigned git and dir sources while OUTPOST_REQUIRE_SIGNATURE is on; use "signed" or "off" (or turn the signature requirement off)',
    );
  }
  const tunnel = tunnelConfig(c.tunnel, problems);
  const access = accessConfig(c.access, problems);
  const tls = tlsConfig(c.tls, problems);
  const report = reportConfig(c.report, { node: c.nodeName, site: c.siteId ?? 'default' }, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const config: Config = {
    port: c.port,
    host: c.host,
    dataDir: path.resolve(c.dataDir),
    source,
    schedule: c.schedule,
    demo,
    logLevel: c.logLevel,
    nodeName: c.nodeName,
    policy: {
      healthTimeoutMs: c.healthTimeout,
      healthIntervalMs: 1000,
      forceConflicts: c.conflicts === 'force',
      concurrency: c.applyConcurrency,
      maintenanceWindows: c.maintenanceWindows,
      ...(c.timeZone ? { timeZone: c.timeZone } : {}),
      drift: c.drift,
      retention: c.retention,
      maxPruneRatio: c.maxPruneRatio,
      sweepIntervalMs: DEFAULT_POLICY.sweepIntervalMs,
      fullFetchIntervalMs: c.fullFetchInterval,
    },
    initEmptyDb: c.initEmptyDb,
    sim: { failImages: c.sim.failImages, readyDelayMs: c.sim.readyDelay, latencyMs: c.sim.latency },
    vars: {
      values: c.vars,
      ...(c.varsFrom ? { from: c.varsFrom } : {}),
      strict: c.strictVars,
      nodeName: c.nodeName,
      ...(c.siteId ? { siteId: c.siteId } : {}),
    },
    trustedKeys,
    requireSignature: c.requireSignature,
    consoleSourceEdit,
    fetchTimeout: c.fetchTimeout,
    render: { timeoutMs: c.renderTimeout },
    cluster,
    tunnel,
    samples: { intervalMs: c.samples.interval, retentionMs: c.samples.retention },
    report,
    store: {
      historyMs: c.store.historyDays * 86_400_000,
      limitBytes: c.store.limit,
      reserveBytes: c.store.reserve,
      checkMs: c.store.check,
    },
    access,
    tls,
  };
  if (demoReason) config.demoReason = demoReason;
  if (c.siteId) config.siteId = c.siteId;
  if (env.OUTPOST_CONFIG) config.configFile = env.OUTPOST_CONFIG;
  return config;
}
