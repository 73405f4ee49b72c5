// Builds the configured source, with the trust policy, limits, credentials and TLS pins it needs.
import type { Config } from '../config.ts';
import { dirSource } from './dir.ts';
import { gitSource } from './git.ts';
import { httpSource } from './http.ts';
import { ociSource } from './oci.ts';
import type { SourceOptions } from './options.ts';
import { parsePins } from './pins.ts';
import { preferUploads } from './prefer.ts';
import { type FetchLimits, fetchLimits, type Source } from './types.ts';
import { uploadSource, uploadsDir } from './upload.ts';

/** The parts of Config a source needs (a whole Config will do). */
export interface SourceSettings {
  trustedKeys?: readonly string[];
  requireSignature?: boolean;
  /** ms, per request. */
  fetchTimeout?: number;
  /** Tests and benchmarks tighten these. */
  limits?: Partial<FetchLimits>;
  /** Where on-site uploads are kept; when set, an upload beats the upstream until it publishes something newer. */
  dataDir?: string;
}

export function sourceOptions(source: Config['source'], settings: SourceSettings = {}): SourceOptions {
  const opts: SourceOptions = {
    policy: { trustedKeys: settings.trustedKeys ?? [], requireSignature: settings.requireSignature ?? true },
    limits: fetchLimits({ timeoutMs: settings.fetchTimeout, ...settings.limits }),
  };
  if (source.authFile) opts.authFile = source.authFile;
  if (source.tlsPin) opts.pins = parsePins(source.tlsPin);
  return opts;
}

/** A source chosen on the console: credentials and TLS pins of the configured source only go to its own host. */
export function consoleSourceConfig(
  config: Pick<Config, 'source'>,
  spec: Pick<Config['source'], 'kind' | 'url' | 'ref' | 'path'>,
): Config['source'] {
  const source: Config['source'] = { kind: spec.kind, url: spec.url, path: spec.path };
  if (spec.ref) source.ref = spec.ref;
  const hostOf = (u: string) => {
    try {
      return new URL(u.replace(/^oci(\+https?)?:/, 'https:')).host;
    } catch {
      return null;
    }
  };
  if (hostOf(spec.url) !== null && hostOf(spec.url) === hostOf(config.source.url)) {
    if (config.source.authFile) source.authFile = config.source.authFile;
    if (config.source.tlsPin) source.tlsPin = config.source.tlsPin;
  }
  return source;
}

export function createSource(source: Config['source'], settings: SourceSettings = {}): Source {
  const upstream = upstreamSource(source, settings);
  if (!settings.dataDir || source.kind === 'upload') return upstream;
  return preferUploads(upstream, uploadSource(uploadsDir(settings.dataDir), sourceOptions(source, settings)));
}

function upstreamSource(source: Config['source'], settings: SourceSettings): Source {
  const opts = sourceOptions(source, settings);
  switch (source.kind) {
    case 'dir':
      return dirSource(source.url);
    case 'git':
      return gitSource(source.url, source.ref, opts);
    case 'http':
      return httpSource(source.url, opts);
    case 'oci':
      return ociSource(source.url, opts);
    case 'upload':
      return uploadSource(source.url, opts);
  }
}
