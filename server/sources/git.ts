// The `git` source: isomorphic-git over smart HTTP(S); a ref check first, then a shallow single-commit fetch in memory.
import type { HttpClient } from 'isomorphic-git';
import { commitLabel, type RevisionLabel } from './label.ts';
import { resolveLinks } from './links.ts';
import { createMemFs } from './memfs.ts';
import { type Auth, basicHeader, hostKey, loadAuth, type RequestOptions, request } from './net.ts';
import type { SourceOptions } from './options.ts';
import { checkPack, reframeUploadPack } from './pack.ts';
import {
  answers,
  defineSource,
  FetchError,
  type FetchLimits,
  type FileTree,
  isReservedPath,
  type PollState,
  reservedNameMessage,
  type Source,
} from './types.ts';

type Git = typeof import('isomorphic-git').default;
/** Loaded on first use: most nodes pull over HTTP or OCI, and isomorphic-git is the largest module we have. */
let gitModule: Promise<Git> | null = null;
const loadGit = () => {
  gitModule ??= import('isomorphic-git').then((m) => m.default);
  return gitModule;
};

interface GitToken {
  /** The full ref the configured name resolved to (so the next check asks for exactly that one). */
  ref: string;
  sha: string;
}

const SHA = /^[0-9a-f]{40}$/;
const GITDIR = '/repo.git';

function readToken(prev: PollState | undefined): GitToken | undefined {
  if (!prev?.token) return undefined;
  try {
    const t = JSON.parse(prev.token) as GitToken;
    return typeof t.sha === 'string' && typeof t.ref === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}

/**
 * isomorphic-git's HTTP plugin over our client: timeout, size limits, TLS pin, credentials on every request.
 * isomorphic-git reads every answer whole and trusts it: branch and tag lists are parsed whole (costly, see
 * maxRefListBytes), a fetch's answer is demultiplexed line by line, and a pack's objects are inflated
 * whole at the sizes they declare. So lists get their own small limit, and every fetch's answer is
 * re-framed and its pack checked (pack.ts) before isomorphic-git sees it.
 */
export function gitHttp(
  base: RequestOptions,
  auth: Auth | undefined,
  guard: { label: string; limits: FetchLimits },
): HttpClient {
  const authorization =
    auth?.kind === 'basic'
      ? basicHeader(auth.username, auth.password)
      : auth?.kind === 'bearer'
        ? basicHeader('x-access-token', auth.token) // forges accept a token as the password of any user
        : undefined;
  return {
    async request({ url, method, headers, body }) {
      const chunks: Uint8Array[] = [];
      if (body) for await (const c of body) chunks.push(c);
      const sent = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const h: Record<string, string> = {};
      for (const [k, v] of Object.entries(headers ?? {})) h[k.toLowerCase()] = v;
      if (authorization) h.authorization = authorization;
      // Only a fetch's POST is answered with a pack; discovery (GET) and protocol v2 ls-refs with ref lists.
      const wantsPack = method === 'POST' && sent !== undefined && !sent.includes('command=ls-refs');
      const res = await request(url, {
        ...base,
        maxBytes: wantsPack ? base.maxBytes : Math.min(base.maxBytes, guard.limits.maxRefListBytes),
        method: (method ?? 'GET') as 'GET' | 'POST',
        headers: h,
        ...(sent ? { body: sent } : {}),
      });
      // Anything but 200 isomorphic-git refuses unread.
      let answer = res.body;
      if (res.status === 200 && wantsPack) {
        const reframed = reframeUploadPack(res.body, guard.label);
        checkPack(reframed.pack, guard.label, guard.limits);
        answer = reframed.answer;
      }
      return {
        url: res.url,
        method: method ?? 'GET',
        statusCode: res.status,
        statusMessage: res.statusText,
        headers: res.headers,
        body: (async function* () {
          yield new Uint8Array(answer);
        })(),
      };
    },
  };
}

function gitError(url: string, err: unknown): FetchError {
  if (err instanceof FetchError) return err;
  const e = err as {
    code?: string;
    data?: { statusCode?: number; statusMessage?: string };
    message?: string;
  };
  if (e.code === 'HttpError') {
    const status = e.data?.statusCode;
    const why =
      status === 401 || status === 403
        ? `access denied (${status}): check the credentials in OUTPOST_SOURCE_AUTH_FILE`
        : status === 404
          ? 'repository not found (404): check OUTPOST_SOURCE_URL'
          : `the server answered ${status} ${e.data?.statusMessage ?? ''}`.trim();
    return new FetchError(`${url}: ${why}`, { cause: err });
  }
  return new FetchError(`${url}: ${e.message ?? String(err)}`, { cause: err });
}

export function gitSource(url: string, ref: string | undefined, opts: SourceOptions): Source {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new FetchError(`${url}: only http:// and https:// git URLs are supported (no ssh, no git://)`);
  }
  const base: RequestOptions = {
    timeoutMs: opts.limits.timeoutMs,
    maxBytes: opts.limits.maxDownloadBytes,
    pinHost: hostKey(parsed),
  };
  if (opts.pins) base.pins = opts.pins;
  const wanted = ref ?? 'HEAD';
  const label = `${url}${ref ? ` (${ref})` : ''}`;

  /** Asks the server for one ref (protocol v2 ls-refs with a prefix: a few hundred bytes). */
  async function resolve(http: HttpClient, hint: string | undefined): Promise<GitToken> {
    // A short name is a branch, else a tag; the last poll's answer (hint) is asked first, if it still fits.
    const names = [`refs/heads/${wanted}`, `refs/tags/${wanted}`];
    const candidates =
      wanted === 'HEAD' || wanted.startsWith('refs/')
        ? [wanted]
        : hint && names.includes(hint)
          ? [hint, ...names.filter((n) => n !== hint)]
          : names;
    const git = await loadGit();
    for (const candidate of candidates) {
      const refs = await git.listServerRefs({
        http,
        url,
        prefix: candidate,
        symrefs: true,
        peelTags: true,
        protocolVersion: 2,
      });
      const hit = refs.find((r) => r.ref === candidate);
      if (hit) return { ref: candidate, sha: hit.peeled ?? hit.oid };
    }
    throw new FetchError(`${label}: no branch or tag named "${wanted}" on the server`);
  }

  /** The commit's tree, and its label (subject, author, time) from the commit object already fetched. */
  async function readTree(
    fs: ReturnType<typeof createMemFs>,
    cache: object,
    sha: string,
  ): Promise<{ files: FileTree; label: RevisionLabel }> {
    const files: FileTree = {};
    const links = new Map<string, string>();
    let count = 0;
    let total = 0;
    const git = await loadGit();
    const { commit } = await git.readCommit({ fs, cache, gitdir: GITDIR, oid: sha });
    const walk = async (treeOid: string, prefix: string): Promise<void> => {
      const { tree } = await git.readTree({ fs, cache, gitdir: GITDIR, oid: treeOid });
      for (const e of tree) {
        const p = prefix + e.path;
        if (e.type === 'tree') {
          await walk(e.oid, `${p}/`);
          continue;
        }
        if (e.type === 'commit')
          throw new FetchError(`${label}: "${p}" is a submodule, which is not supported`);
        if (isReservedPath(p)) throw new FetchError(`${label}: ${reservedNameMessage(p)}`);
        if (++count > opts.limits.maxFiles) {
          throw new FetchError(`${label}: more than ${opts.limits.maxFiles} files (limit reached at "${p}")`);
        }
        const { blob } = await git.readBlob({ fs, cache, gitdir: GITDIR, oid: e.oid });
        // A link's blob is its target; it is followed below when it stays inside the revision.
        if (e.mode === '120000') {
          links.set(p, Buffer.from(blob).toString('utf8'));
          continue;
        }
        total += blob.length;
        if (total > opts.limits.maxTotalBytes) {
          throw new FetchError(`${label}: more than ${opts.limits.maxTotalBytes} bytes of files (at "${p}")`);
        }
        // Bytes: only the files a build reads are decoded (render/tree.ts).
        files[p] = Buffer.from(blob);
      }
    };
    await walk(commit.tree, '');
    resolveLinks(files, links, label, opts.limits.maxFiles);
    return { files, label: commitLabel(commit) };
  }

  return defineSource(
    'git',
    url,
    async (prev) => {
      const token = prev?.full ? undefined : readToken(prev);
      const http = gitHttp(base, await loadAuth(opts.authFile), { label, limits: opts.limits });
      try {
        // A pinned commit needs no ref check at all; anything else costs one small ls-refs exchange.
        const target = SHA.test(wanted) ? { ref: wanted, sha: wanted } : await resolve(http, token?.ref);
        if (token && token.sha === target.sha) return { unchanged: true, token: JSON.stringify(target) };
        const fs = createMemFs();
        const git = await loadGit();
        // One cache per fetch: isomorphic-git keeps the parsed pack index in it instead of re-reading it per object.
        const cache = {};
        await git.init({ fs, gitdir: GITDIR, bare: true, defaultBranch: 'outpost' });
        await git.addRemote({ fs, gitdir: GITDIR, remote: 'origin', url });
        // Fetching by sha: over smart HTTP the server accepts any commit reachable from its refs.
        await git.fetch({
          fs,
          cache,
          http,
          gitdir: GITDIR,
          url,
          ref: target.sha,
          remoteRef: target.sha,
          singleBranch: true,
          depth: 1,
          tags: false,
        });
        const tree = await readTree(fs, cache, target.sha);
        return {
          files: tree.files,
          label: tree.label,
          version: target.sha,
          token: JSON.stringify(target),
        };
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (
          SHA.test(wanted) &&
          (code === 'NotFoundError' || /not our ref/.test(String((err as Error).message)))
        ) {
          throw new FetchError(
            `${label}: commit ${wanted} is not on the server (not reachable from any branch or tag)`,
            {
              cause: err,
            },
          );
        }
        throw gitError(label, err);
      }
    },
    () =>
      // The ref advertisement a poll starts with (a few hundred bytes); a pinned commit has nothing to ask.
      answers(async () => {
        if (!SHA.test(wanted))
          await resolve(
            gitHttp(base, await loadAuth(opts.authFile), { label, limits: opts.limits }),
            undefined,
          );
        return true;
      }),
  );
}
