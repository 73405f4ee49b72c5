// The source vocabulary, in one place: the kinds of source, which of them deliver signed bundles, and the
// address and path each kind takes. The configuration, the console's settings, the CLI and the views all ask here.
import path from 'node:path';

export const SOURCE_KINDS = ['git', 'http', 'oci', 'upload', 'dir'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Kinds whose content is a bundle checked against the trusted keys (http, oci, upload); git and dir are not. */
export const SIGNED_SOURCE_KINDS: readonly SourceKind[] = ['http', 'oci', 'upload'];

/**
 * Which sources the console may choose (OUTPOST_CONSOLE_SOURCE_EDIT): none, signed kinds only, or any kind.
 * `any` is refused by the configuration while signatures are required: an admin could otherwise point the
 * node at an unsigned git or dir source and so bypass the signature requirement.
 */
export const CONSOLE_SOURCE_EDIT = ['off', 'signed', 'any'] as const;
export type ConsoleSourceEdit = (typeof CONSOLE_SOURCE_EDIT)[number];

/** An OCI artifact: `oci://registry/repository:tag` or `@sha256:…`; `oci+http(s)://` says the scheme. */
export const OCI_URL = /^oci(\+https?)?:\/\/([^/\s]+)\/(\S+)$/;
const HTTP_URL = /^https?:\/\/[^/\s]+/;

export function isSourceKind(v: unknown): v is SourceKind {
  return typeof v === 'string' && (SOURCE_KINDS as readonly string[]).includes(v);
}

/** True when a source of this kind delivers a signed bundle (so an unsigned one deserves a mark). */
export function isSignedKind(kind: unknown): boolean {
  return typeof kind === 'string' && (SIGNED_SOURCE_KINDS as readonly string[]).includes(kind);
}

/** Why `url` is not an address a `kind` source can fetch from, or null; dir and upload take a local path. */
export function sourceUrlProblem(kind: SourceKind, url: string): string | null {
  if (url.trim() === '') return 'say where the desired state is published';
  if ((kind === 'git' || kind === 'http') && !HTTP_URL.test(url))
    return `a ${kind} source needs an http:// or https:// URL`;
  if (kind === 'oci' && !OCI_URL.test(url))
    return 'an oci source looks like oci://registry.example.com/fleet/site:tag';
  return null;
}

/** Why `p` is not a relative path inside the source (absolute on any platform, or climbing out), or null. */
export function sourcePathProblem(p: string): string | null {
  const outside = path.posix.isAbsolute(p) || path.win32.isAbsolute(p) || p.split(/[\\/]/).includes('..');
  return outside ? `"${p}" must be a relative path inside the source` : null;
}
