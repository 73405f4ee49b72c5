// The `oci` source: a Flux-style OCI artifact (one tar.gz layer of manifests) in a registry; no-change = one HEAD.
import { createHash } from 'node:crypto';
import { openBundle } from './bundle.ts';
import { OCI_URL } from './kinds.ts';
import {
  type Auth,
  basicHeader,
  hostKey,
  loadAuth,
  type RequestOptions,
  type Response,
  request,
} from './net.ts';
import type { SourceOptions } from './options.ts';
import { answers, defineSource, FetchError, type Source } from './types.ts';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const FLUX_CONFIG = 'application/vnd.cncf.flux.config.v1+json';
export const FLUX_CONTENT = 'application/vnd.cncf.flux.content.v1.tar+gzip';
/** The manifest annotation that carries the bundle's `.minisig` text. */
export const SIGNATURE_ANNOTATION = 'io.outpost.minisig';
const LAYER_TYPES = [FLUX_CONTENT, 'application/vnd.oci.image.layer.v1.tar+gzip'];
const ACCEPT = [OCI_MANIFEST, 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');

export interface OciRef {
  /** http(s)://host[:port] */
  registry: string;
  repository: string;
  /** A tag, or a digest (`sha256:...`). */
  reference: string;
  byDigest: boolean;
}

/**
 * `oci://host[:port]/repo/name:tag` or `...@sha256:<hex>`. HTTPS, except loopback registries and the
 * explicit `oci+http://` form (a LAN registry without TLS), which use plain HTTP.
 */
export function parseOciUrl(url: string): OciRef {
  const m = OCI_URL.exec(url);
  if (!m)
    throw new FetchError(`${url}: an OCI source URL looks like oci://registry.example.com/fleet/site:tag`);
  const [, scheme, host, rest] = m as unknown as [string, string | undefined, string, string];
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);
  const protocol = scheme ? scheme.slice(1) : loopback ? 'http' : 'https';
  const at = rest.indexOf('@');
  let repository: string;
  let reference: string;
  if (at >= 0) {
    repository = rest.slice(0, at);
    reference = rest.slice(at + 1);
    if (!/^sha(256|512):[0-9a-f]{64,128}$/.test(reference)) {
      throw new FetchError(`${url}: "${reference}" is not a digest such as sha256:<64 hex digits>`);
    }
  } else {
    const colon = rest.lastIndexOf(':');
    repository = colon > rest.lastIndexOf('/') ? rest.slice(0, colon) : rest;
    reference = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : 'latest';
  }
  if (!/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(repository)) {
    throw new FetchError(
      `${url}: "${repository}" is not a valid repository name (lower case, digits, . _ - /)`,
    );
  }
  return { registry: `${protocol}://${host}`, repository, reference, byDigest: at >= 0 };
}

function digestOf(data: Buffer, digest: string): string {
  const [alg] = digest.split(':');
  return `${alg}:${createHash(alg as string)
    .update(data)
    .digest('hex')}`;
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const scheme = header.split(' ')[0]?.toLowerCase() ?? '';
  const params: Record<string, string> = Object.create(null); // names come from the server
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g))
    params[(m[1] as string).toLowerCase()] = m[2] as string;
  return { scheme, params };
}

export function ociSource(url: string, opts: SourceOptions): Source {
  const ref = parseOciUrl(url);
  const registryOrigin = new URL(ref.registry);
  const base: RequestOptions = {
    timeoutMs: opts.limits.timeoutMs,
    maxBytes: 4 * 1024 * 1024,
    pinHost: hostKey(registryOrigin),
  };
  if (opts.pins) base.pins = opts.pins;
  // Kept between polls so a no-change poll is a single HEAD, not a token exchange plus a HEAD.
  let authorization: { header: string; until: number } | undefined;

  async function negotiate(res: Response, auth: Auth | undefined): Promise<string> {
    const challenge = parseChallenge(res.headers['www-authenticate'] ?? '');
    if (challenge.scheme === 'basic') {
      if (auth?.kind !== 'basic') {
        throw new FetchError(
          `${url}: the registry wants a user name and password (OUTPOST_SOURCE_AUTH_FILE)`,
        );
      }
      return basicHeader(auth.username, auth.password);
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) {
      throw new FetchError(`${url}: access denied (${res.status}) and the registry offers no way to log in`);
    }
    let tokenUrl: URL;
    try {
      tokenUrl = new URL(challenge.params.realm);
    } catch (err) {
      throw new FetchError(`${url}: the registry's login address "${challenge.params.realm}" is not a URL`, {
        cause: err,
      });
    }
    // Credentials travel in clear only where the registry itself is spoken to in clear (loopback, oci+http://).
    const plainAllowed = registryOrigin.protocol === 'http:' && tokenUrl.protocol === 'http:';
    if (tokenUrl.protocol !== 'https:' && !plainAllowed) {
      throw new FetchError(
        `${url}: the registry sends logins to ${tokenUrl.origin}, which is not https; Outpost sends credentials only over https (plain http only to a registry on loopback or given as oci+http://)`,
      );
    }
    if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
    tokenUrl.searchParams.set('scope', challenge.params.scope ?? `repository:${ref.repository}:pull`);
    const headers: Record<string, string> = {};
    if (auth?.kind === 'basic') headers.authorization = basicHeader(auth.username, auth.password);
    const tr = await request(tokenUrl.href, { ...base, maxBytes: 64 * 1024, headers });
    if (tr.status !== 200) {
      throw new FetchError(
        `${url}: the registry's token service ${tokenUrl.origin}${tokenUrl.pathname} refused (${tr.status}); check OUTPOST_SOURCE_AUTH_FILE`,
      );
    }
    let body: { token?: string; access_token?: string; expires_in?: number };
    try {
      body = JSON.parse(tr.body.toString('utf8'));
    } catch (err) {
      throw new FetchError(`${url}: the registry's token service answered something that is not JSON`, {
        cause: err,
      });
    }
    const token = body.token ?? body.access_token;
    if (!token) throw new FetchError(`${url}: the registry's token service returned no token`);
    // Renew a little early; registries default to 60 s when they do not say.
    authorization = { header: `Bearer ${token}`, until: Date.now() + ((body.expires_in ?? 60) - 10) * 1000 };
    return authorization.header;
  }

  async function registry(method: 'GET' | 'HEAD', path: string, accept: string, maxBytes: number) {
    const auth = await loadAuth(opts.authFile);
    const target = `${ref.registry}/v2/${ref.repository}/${path}`;
    const headers: Record<string, string> = { accept };
    if (auth?.kind === 'bearer') headers.authorization = `Bearer ${auth.token}`;
    else if (authorization && authorization.until > Date.now()) headers.authorization = authorization.header;
    let res = await request(target, { ...base, method, headers, maxBytes });
    if (res.status === 401 && auth?.kind !== 'bearer') {
      // A 401 from where a redirect led (a blob store, a CDN) names a login we must not feed our credentials.
      const answeredBy = new URL(res.url).origin;
      if (answeredBy !== registryOrigin.origin) {
        throw new FetchError(
          `${res.url}: ${answeredBy} asks for credentials, but Outpost sends them only to the registry ${registryOrigin.origin} itself`,
        );
      }
      headers.authorization = await negotiate(res, auth);
      if (headers.authorization.startsWith('Basic'))
        authorization = { header: headers.authorization, until: Infinity };
      res = await request(target, { ...base, method, headers, maxBytes });
    }
    if (res.status === 401 || res.status === 403) {
      throw new FetchError(`${target}: access denied (${res.status}); check OUTPOST_SOURCE_AUTH_FILE`);
    }
    if (res.status === 404) throw new FetchError(`${url}: not found in the registry (404)`);
    if (res.status !== 200)
      throw new FetchError(`${target}: the registry answered ${res.status} ${res.statusText}`);
    return res;
  }

  return defineSource(
    'oci',
    url,
    async (prev) => {
      const known = prev?.full ? undefined : prev?.token;
      if (ref.byDigest && known === ref.reference) return { unchanged: true, token: ref.reference };
      let digest = ref.byDigest ? ref.reference : undefined;
      if (!digest) {
        const head = await registry('HEAD', `manifests/${ref.reference}`, ACCEPT, 0);
        digest = head.headers['docker-content-digest'];
        if (digest && known === digest) return { unchanged: true, token: digest };
      }
      const res = await registry('GET', `manifests/${digest ?? ref.reference}`, ACCEPT, 4 * 1024 * 1024);
      digest ??= res.headers['docker-content-digest'] ?? digestOf(res.body, 'sha256:');
      if (digestOf(res.body, digest) !== digest) {
        throw new FetchError(`${url}: the manifest does not match its digest ${digest} (corrupt download)`);
      }
      let manifest: {
        mediaType?: string;
        layers?: { mediaType?: string; digest?: string; size?: number }[];
        annotations?: Record<string, string>;
      };
      try {
        manifest = JSON.parse(res.body.toString('utf8'));
      } catch (err) {
        throw new FetchError(`${url}: the manifest is not JSON`, { cause: err });
      }
      const layers = (manifest.layers ?? []).filter((l) => LAYER_TYPES.includes(l.mediaType ?? ''));
      const layer = layers[0];
      if (layers.length !== 1 || !layer?.digest || !/^sha(256|512):[0-9a-f]+$/.test(layer.digest)) {
        throw new FetchError(
          `${url}: the artifact must have exactly one layer of type ${FLUX_CONTENT} (found ${layers.length})`,
        );
      }
      if ((layer.size ?? 0) > opts.limits.maxDownloadBytes) {
        throw new FetchError(
          `${url}: the layer is ${layer.size} bytes, over the ${opts.limits.maxDownloadBytes}-byte download limit`,
        );
      }
      const blob = await registry('GET', `blobs/${layer.digest}`, '*/*', opts.limits.maxDownloadBytes);
      if (digestOf(blob.body, layer.digest) !== layer.digest) {
        throw new FetchError(
          `${url}: the layer does not match its digest ${layer.digest} (corrupt download)`,
        );
      }
      const sig = manifest.annotations?.[SIGNATURE_ANNOTATION] ?? null;
      const fetched = openBundle(
        url,
        blob.body,
        sig,
        `the manifest annotation ${SIGNATURE_ANNOTATION}`,
        opts,
      );
      fetched.token = digest;
      return fetched;
    },
    () =>
      // The manifest HEAD a poll starts with; registry() throws on anything but 200.
      answers(async () => (await registry('HEAD', `manifests/${ref.reference}`, ACCEPT, 0)).status === 200),
  );
}
