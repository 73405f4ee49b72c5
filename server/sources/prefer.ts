// An upload made on site beats the upstream until the upstream publishes something newer: for signed bundles
// "newer" is a higher signed version; for git or a folder it is any change after the upload was chosen.
import { treeDigest } from './digest.ts';
import {
  FetchError,
  type Fetched,
  type FetchResult,
  isUnchanged,
  type PollState,
  type Source,
} from './types.ts';

/** What the combined token remembers between polls. */
interface Token {
  /** The uploads' and the upstream's own tokens. */
  u?: string;
  s?: string;
  /** The upstream's digest when the current upload was first preferred; a different one means "newer". */
  anchor?: string;
  /** Which side the last answer came from. */
  from?: 'upload' | 'upstream';
}

function parse(prev: PollState | undefined): Token {
  try {
    return prev?.token ? (JSON.parse(prev.token) as Token) : {};
  } catch {
    return {};
  }
}

/** "No bundle uploaded yet" is the normal state of most nodes, not an error. */
async function readUploads(
  uploads: Source,
  token: string | undefined,
  full: boolean,
): Promise<FetchResult | null> {
  try {
    return await uploads.fetch(token ? { token, full } : undefined);
  } catch (err) {
    if (err instanceof FetchError && /no bundle has been uploaded yet/.test(err.message)) return null;
    throw err;
  }
}

function version(f: Fetched): number | null {
  return f.version !== undefined && /^\d+$/.test(f.version) ? Number(f.version) : null;
}

export function preferUploads(upstream: Source, uploads: Source): Source {
  return {
    kind: upstream.kind,
    url: upstream.url,
    // The upstream is what a probe asks about: uploads are on this node, always there.
    probe: () => upstream.probe(),
    // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: which side wins (upload or upstream, changed or not) is one decision table; split, its cases no longer read together.
    fetch: (async (prev?: PollState): Promise<FetchResult> => {
      const t = parse(prev);
      // A full fetch goes down to both sides; this token's memory (the anchor, who won) is kept.
      const whole = prev?.full === true;
      const up = await readUploads(uploads, t.u, whole);
      let st: FetchResult | null = null;
      let stError: Error | null = null;
      try {
        st = await upstream.fetch(t.s ? { token: t.s, full: whole } : undefined);
      } catch (err) {
        stError = err as Error;
      }
      if (!up) {
        if (stError) throw stError;
        const s = st as FetchResult;
        const token = JSON.stringify({ s: s.token, from: 'upstream' } satisfies Token);
        return isUnchanged(s) && t.from === 'upstream'
          ? { unchanged: true, token }
          : { ...(await full(upstream, s)), token };
      }
      // Both sides answered "unchanged" and nothing decides differently than last time.
      if (isUnchanged(up) && st && isUnchanged(st) && t.from) {
        return { unchanged: true, token: JSON.stringify({ ...t, u: up.token ?? t.u, s: st.token ?? t.s }) };
      }
      const upload: Fetched = { ...(await full(uploads, up)), origin: 'upload' };
      if (stError || !st) {
        // Offline or the upstream is broken: the upload on site is what the node should run.
        return {
          ...upload,
          upstreamError: stError?.message ?? 'upstream unavailable',
          token: JSON.stringify({ ...t, u: upload.token, from: 'upload' }),
        };
      }
      const stream = await full(upstream, st);
      const streamDigest = treeDigest(stream.files);
      const newUpload = isUnchanged(up) === false && up.token !== t.u;
      const anchor = newUpload || !t.anchor ? streamDigest : t.anchor;
      const sv = version(stream);
      const uv = version(upload);
      const uploadWins = sv !== null && uv !== null ? uv > sv : streamDigest === anchor;
      const token = JSON.stringify({
        u: upload.token,
        s: stream.token,
        anchor,
        from: uploadWins ? 'upload' : 'upstream',
      } satisfies Token);
      return uploadWins ? { ...upload, token } : { ...stream, token };
    }) as Source['fetch'],
  };
}

/** The whole tree even when the source said "unchanged" (the other side changed, so a choice is due). */
async function full(source: Source, r: FetchResult): Promise<Fetched> {
  return isUnchanged(r) ? await source.fetch() : r;
}
