// Config building blocks: duration and boolean parsing, and the console-reach sections
// (remote support tunnel, access, TLS). Read no environment: config.ts hands them what it parsed.
import { z } from 'zod/v3';
import { addressListProblems, splitList } from './auth/addresses.ts';
import { ConfigError } from './config-error.ts';
import type { ReportConfig, SEVERITIES } from './report/model.ts';
import { parseHostKeyPins } from './tunnel/hostkey.ts';
import type { TunnelConfig } from './tunnel/model.ts';

/** Why the node runs on the simulator; the console shows each in the reader's words (`demo.reason.<key>`). */
export const DEMO_REASONS = {
  forced: 'OUTPOST_DEMO=1',
  noCluster: 'no cluster configured: not in a pod and KUBECONFIG unset',
} as const;

export function parseDuration(s: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(s);
  if (!m) throw new ConfigError([`"${s}" is not a duration such as 90s, 5m or 1h`]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

export const duration = z
  .union([
    z.number().int().positive(),
    z.string().regex(/^\d+(ms|s|m|h)$/, 'a duration such as 90s, 5m or 1h'),
  ])
  .transform((v) => (typeof v === 'number' ? v * 1000 : parseDuration(v)));

/**
 * A default given as the parsed value (milliseconds, bytes), for a schema that parses text: zod 3's .default()
 * would parse its value as input again, and 60000 read as a duration is 60,000 seconds.
 */
export function orDefault<T extends z.ZodTypeAny>(schema: T, value: z.output<T>) {
  return schema.optional().transform((v): z.output<T> => v ?? value);
}

export const booleanish = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no', ''])])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');

/** Remote support is never granted for longer than this, whatever the config says. */
const TUNNEL_MAX_MS = 8 * 3_600_000;

/** Remote support bastion; the tunnel is off while host is unset. */
export const tunnelSchema = z
  .object({
    host: z.string().trim().min(1).optional(),
    port: z.coerce.number().int().min(1).max(65535).default(22),
    user: z.string().trim().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    hostKey: z.string().min(1).optional(),
    remotePort: z.coerce.number().int().min(0).max(65535).default(0),
    max: orDefault(duration, TUNNEL_MAX_MS),
  })
  .default({});

/** Console access: first-run enrollment, sessions, metrics token, kiosk screens, proxies, base path. */
export const accessSchema = z
  .object({
    enrollmentCodeFile: z.string().min(1).optional(),
    enrollmentTtl: orDefault(duration, 3_600_000),
    sessionIdle: orDefault(duration, 30 * 60_000),
    sessionMax: orDefault(duration, 12 * 3_600_000),
    metricsTokenFile: z.string().min(1).optional(),
    kioskAddresses: z.union([z.string(), z.array(z.string())]).default(['127.0.0.1', '::1']),
    trustedProxies: z.union([z.string(), z.array(z.string())]).default([]),
    basePath: z.string().default(''),
    allowedHosts: z.union([z.string(), z.array(z.string())]).default([]),
  })
  .default({});

/** HTTPS straight from Outpost (a certificate Secret); plain HTTP while unset. */
export const tlsSchema = z
  .object({ certFile: z.string().min(1).optional(), keyFile: z.string().min(1).optional() })
  .default({});

export interface AccessConfig {
  /** A file holding the first-run enrollment code (a Secret); else one is generated and logged. */
  enrollmentCodeFile?: string;
  enrollmentTtlMs: number;
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** A file holding the bearer token that may read /metrics without a session. */
  metricsTokenFile?: string;
  /** Addresses and CIDR ranges whose screens see /kiosk without signing in. */
  kioskAddresses: string[];
  /** Proxies whose X-Forwarded-For/-Proto/-Host/-Prefix are believed; none by default. */
  trustedProxies: string[];
  /** Path prefix the console is served under ('' or like /support/gw-17, no trailing slash). */
  basePath: string;
  /** Host names the console answers to besides IP addresses, localhost and the node's own names. */
  allowedHosts: string[];
}

/**
 * A host name as the console compares it: lower case, no trailing dot; null when it is not one (dot-separated
 * labels of letters, digits, '-' and '_', at most 63 characters each and 253 in all, not starting with '-').
 */
export function hostName(value: string): string | null {
  const name = value.trim().toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > 253) return null;
  return name.split('.').every((label) => /^[a-z0-9_][a-z0-9_-]{0,62}$/.test(label)) ? name : null;
}

/** The tunnel needs a user, a key and a pinned host key: it never trusts a bastion on first use. */
export function tunnelConfig(t: z.infer<typeof tunnelSchema>, problems: string[]): TunnelConfig | null {
  if (!t.host) return null;
  if (!t.user)
    problems.push('OUTPOST_TUNNEL_USER: required when OUTPOST_TUNNEL_HOST is set (the bastion login)');
  if (!t.keyFile) {
    problems.push(
      'OUTPOST_TUNNEL_KEY_FILE: required when OUTPOST_TUNNEL_HOST is set (OpenSSH private key file)',
    );
  }
  if (!t.hostKey) {
    problems.push(
      `OUTPOST_TUNNEL_HOST_KEY: required when OUTPOST_TUNNEL_HOST is set: the host key line of ${t.host} ` +
        '(ssh-keyscan) or its SHA256 fingerprint (ssh-keygen -lf); Outpost does not trust a bastion on first use',
    );
  } else {
    try {
      parseHostKeyPins(t.hostKey);
    } catch (err) {
      problems.push(`OUTPOST_TUNNEL_HOST_KEY: ${(err as Error).message}`);
    }
  }
  if (t.max < 60_000 || t.max > TUNNEL_MAX_MS) {
    problems.push('OUTPOST_TUNNEL_MAX: between 1m and 8h (remote support is never granted for longer)');
  }
  return {
    host: t.host,
    port: t.port,
    user: t.user ?? '',
    keyFile: t.keyFile ?? '',
    hostKey: t.hostKey ?? '',
    remotePort: t.remotePort,
    maxMs: t.max,
  };
}

/** Address lists must parse, the base path must be a plain path, and a session cannot idle longer than it lives. */
export function accessConfig(a: z.infer<typeof accessSchema>, problems: string[]): AccessConfig {
  const kioskAddresses = splitList(a.kioskAddresses);
  const trustedProxies = splitList(a.trustedProxies);
  for (const p of addressListProblems(kioskAddresses)) problems.push(`OUTPOST_KIOSK_ADDRESSES: ${p}`);
  for (const p of addressListProblems(trustedProxies)) problems.push(`OUTPOST_TRUSTED_PROXIES: ${p}`);
  const basePath = a.basePath.trim().replace(/\/+$/, '');
  if (basePath !== '' && (!/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath) || /\/\.{1,2}(\/|$)/.test(basePath))) {
    problems.push(
      `OUTPOST_BASE_PATH: "${a.basePath}" must be a path such as /support/gw-17 (letters, digits, . _ ~ -)`,
    );
  }
  const allowedHosts: string[] = [];
  for (const entry of splitList(a.allowedHosts)) {
    const name = hostName(entry);
    if (name) allowedHosts.push(name);
    else
      problems.push(
        `OUTPOST_ALLOWED_HOSTS: "${entry}" is not a host name such as gw-17.plant.example (no scheme, port or path)`,
      );
  }
  if (a.sessionIdle > a.sessionMax) {
    problems.push('OUTPOST_SESSION_IDLE: cannot be longer than OUTPOST_SESSION_MAX');
  }
  const access: AccessConfig = {
    enrollmentTtlMs: a.enrollmentTtl,
    sessionIdleMs: a.sessionIdle,
    sessionMaxMs: a.sessionMax,
    kioskAddresses,
    trustedProxies,
    basePath,
    allowedHosts,
  };
  if (a.enrollmentCodeFile) access.enrollmentCodeFile = a.enrollmentCodeFile;
  if (a.metricsTokenFile) access.metricsTokenFile = a.metricsTokenFile;
  return access;
}

export function tlsConfig(
  t: z.infer<typeof tlsSchema>,
  problems: string[],
): { certFile: string; keyFile: string } | null {
  if (!t.certFile && !t.keyFile) return null;
  if (!t.certFile || !t.keyFile) {
    problems.push('OUTPOST_TLS_CERT_FILE and OUTPOST_TLS_KEY_FILE: set both for HTTPS, or neither');
    return null;
  }
  return { certFile: t.certFile, keyFile: t.keyFile };
}

/** Upward reports (MQTT, webhooks): off unless a URL is set. */
export const reportSchema = z
  .object({
    mqttUrl: z.string().trim().min(1).optional(),
    mqttPrefix: z.string().trim().min(1).default('outpost'),
    mqttCaFile: z.string().min(1).optional(),
    mqttAuthFile: z.string().min(1).optional(),
    webhookUrl: z.string().trim().min(1).optional(),
    webhookSecretFile: z.string().min(1).optional(),
    webhookTypes: z.union([z.string(), z.array(z.string())]).default([]),
    webhookSeverity: z.enum(['info', 'warning', 'error']).default('info'),
    backlog: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
    heartbeat: orDefault(duration, 5 * 60_000),
  })
  .default({});

/** URLs must be of the right scheme; the prefix must be a plain topic path (no wildcards). */
export function reportConfig(
  r: z.infer<typeof reportSchema>,
  identity: ReportConfig['identity'],
  problems: string[],
): ReportConfig | null {
  if (!r.mqttUrl && !r.webhookUrl) return null;
  if (r.mqttUrl && !/^mqtts?:\/\/[^/]+/.test(r.mqttUrl))
    problems.push('OUTPOST_REPORT_MQTT_URL: expected mqtts://host[:port] (or mqtt:// on a LAN)');
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(r.mqttPrefix))
    problems.push(`OUTPOST_REPORT_MQTT_PREFIX: "${r.mqttPrefix}" must be a topic path without wildcards`);
  if (r.webhookUrl && !/^https?:\/\/[^/]+/.test(r.webhookUrl))
    problems.push('OUTPOST_REPORT_WEBHOOK_URL: expected an http:// or https:// URL');
  const severity = r.webhookSeverity as (typeof SEVERITIES)[number];
  return {
    identity,
    backlog: r.backlog,
    heartbeatMs: r.heartbeat,
    mqtt: r.mqttUrl
      ? {
          url: r.mqttUrl,
          prefix: r.mqttPrefix,
          ...(r.mqttCaFile ? { caFile: r.mqttCaFile } : {}),
          ...(r.mqttAuthFile ? { authFile: r.mqttAuthFile } : {}),
        }
      : null,
    webhook: r.webhookUrl
      ? {
          url: r.webhookUrl,
          ...(r.webhookSecretFile ? { secretFile: r.webhookSecretFile } : {}),
          types: splitList(r.webhookTypes),
          minSeverity: severity,
        }
      : null,
  };
}
