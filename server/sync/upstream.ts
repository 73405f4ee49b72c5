// The fetch stage: asks the source for the desired state (conditionally: an unchanged upstream costs a ref
// check, a 304 or one HEAD — and in full once per fullFetchIntervalMs, so content changed under an unchanged
// ETag is found), refuses older signed versions, and records whether the upstream answered, and whether what
// it answered was usable ("broken" is not "unreachable"). It only fetches: what the run does when it fails (re-assert
// the LKG from the store) is the reconciler's next stage.
import type { Db } from '../db/open.ts';
import { getRevision, labelOf, revisionBySource, revisionFiles, shortDigest } from '../db/revisions.ts';
import { treeDigest } from '../sources/digest.ts';
import { type Fetched, isUnchanged } from '../sources/types.ts';
import { checkVersion, VerifyError } from '../sources/verify.ts';
import { highestVersion, pollRecord, upstreamState } from './state-keys.ts';
import {
  DEFAULT_POLICY,
  type LkgPointer,
  type ReconcilerDeps,
  StageFailure,
  type UpstreamState,
} from './types.ts';

/** How a poll ended, for the upstream's state. */
type Contact = { ok: true; changed: boolean; full: boolean } | { ok: false; error: Error; network: boolean };

/**
 * The failure is the network's (no connection, DNS, reset, timeout: a socket error code somewhere in the
 * chain), not the upstream's answer. Anything else came back from a server that answered: "broken".
 */
export function isNetworkFailure(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return true;
  }
  return false;
}

export interface Upstream extends Fetched {
  /** The tree's digest, computed once per fetch. */
  digest: string;
  /** True when the source said nothing changed since the last poll. */
  unchanged: boolean;
}

/** The fetch stage's result: the content, or the failure the run ends with (after re-asserting the LKG). */
export type FetchResult = { ok: true; upstream: Upstream } | { ok: false; failure: StageFailure };

export async function fetchUpstream(d: ReconcilerDeps, lkg: LkgPointer | null): Promise<FetchResult> {
  const now = (d.now?.() ?? new Date()).toISOString();
  let result: Upstream;
  try {
    result = await fetchConditionally(d, now);
  } catch (err) {
    // A bundle that fails verification came from a reachable upstream: its content is refused, the upstream
    // is broken (and backed off from like any other failure), not unreachable.
    const verify = err instanceof VerifyError;
    const network = !verify && (d.source.kind === 'upload' || isNetworkFailure(err));
    recordContact(d.db, now, { ok: false, error: err as Error, network });
    const message = verify ? (err as Error).message : `${d.source.kind} source: ${(err as Error).message}`;
    return {
      ok: false,
      failure: new StageFailure(verify ? 'VerifyFailed' : 'FetchFailed', message, { cause: err }),
    };
  }
  const refused = antiRollback(d.db, result);
  // "Changed" compares trees: the running revision's identity also covers its render inputs.
  const running = lkg ? getRevision(d.db, lkg.revisionId)?.sourceDigest : undefined;
  const changed = !result.unchanged && result.digest !== running;
  // Running from an on-site upload while the upstream is down: the upstream still counts as unreachable.
  if (result.upstreamError)
    recordContact(d.db, now, { ok: false, error: new Error(result.upstreamError), network: true });
  else if (refused) recordContact(d.db, now, { ok: false, error: refused, network: false });
  else recordContact(d.db, now, { ok: true, changed, full: !result.unchanged });
  if (refused)
    return { ok: false, failure: new StageFailure('VerifyFailed', refused.message, { cause: refused }) };
  return { ok: true, upstream: result };
}

async function fetchConditionally(d: ReconcilerDeps, now: string): Promise<Upstream> {
  const poll = pollRecord.get(d.db);
  const every = d.policy?.fullFetchIntervalMs ?? DEFAULT_POLICY.fullFetchIntervalMs;
  // An ETag (or ref, or digest) vouches for content only as far as the server is honest: once per interval
  // the whole content is downloaded and its digest compared instead.
  const verified = poll?.fullAt !== undefined && Date.parse(now) - Date.parse(poll.fullAt) < every;
  const answer = await d.source.fetch(
    poll?.token ? { token: poll.token, ...(verified ? {} : { full: true }) } : undefined,
  );
  if (isUnchanged(answer) && poll) {
    const stored = revisionBySource(d.db, poll.digest);
    if (stored) {
      if (answer.token && answer.token !== poll.token) pollRecord.set(d.db, { ...poll, token: answer.token });
      const files = revisionFiles(d.db, stored.id);
      const up: Upstream = { files, digest: poll.digest, unchanged: true };
      if (stored.version) up.version = stored.version;
      if (stored.signer) up.signer = stored.signer;
      up.label = labelOf(stored);
      return up;
    }
  }
  // Nothing to serve "unchanged" from (the revision never passed validation, or was pruned): fetch whole.
  const full = isUnchanged(answer) ? await d.source.fetch() : answer;
  const digest = treeDigest(full.files);
  pollRecord.set(d.db, { ...(full.token ? { token: full.token } : {}), digest, fullAt: now });
  return { ...full, digest, unchanged: false };
}

/** Never accept a signed version lower than the highest one verified before; remember the highest. */
function antiRollback(db: Db, up: Upstream): VerifyError | null {
  // Only a verified bundle (it has a signer) carries a version its publisher vouches for.
  if (!up.signer || up.version === undefined || !/^\d+$/.test(up.version)) return null;
  const version = Number(up.version);
  const highest = highestVersion.get(db);
  const refused = checkVersion(shortDigest(up.digest), version, highest);
  if (!refused && (highest === null || version > highest)) highestVersion.set(db, version);
  return refused;
}

/** Every failure counts towards the schedule's backoff, whether the network failed or the upstream's answer. */
function recordContact(db: Db, now: string, r: Contact): void {
  const prev = upstreamState.get(db);
  const lastFullFetch = r.ok && r.full ? now : (prev?.lastFullFetch ?? null);
  const next: UpstreamState = r.ok
    ? {
        reachable: true,
        broken: false,
        brokenSince: null,
        lastContact: now,
        lastChange: r.changed ? now : (prev?.lastChange ?? null),
        unreachableSince: null,
        consecutiveFailures: 0,
        lastError: null,
        lastFullFetch,
      }
    : {
        reachable: !r.network,
        broken: !r.network,
        brokenSince: r.network ? null : prev?.broken ? (prev.brokenSince ?? now) : now,
        // A server that answered, even badly, was in contact.
        lastContact: r.network ? (prev?.lastContact ?? null) : now,
        lastChange: prev?.lastChange ?? null,
        unreachableSince: !r.network ? null : prev && !prev.reachable ? prev.unreachableSince : now,
        consecutiveFailures: (prev?.consecutiveFailures ?? 0) + 1,
        lastError: r.error.message,
        lastFullFetch,
      };
  upstreamState.set(db, next);
}
