// The fetch stage: asks the source for the desired state (conditionally: an unchanged upstream costs a ref
// check, a 304 or one HEAD), refuses older signed versions, and records whether the upstream answered.
// When it does not, the node still re-asserts its last-known-good from SQLite, with no network at all.
import type { Db } from '../db/open.ts';
import { revisionByDigest, revisionFiles, shortDigest } from '../db/revisions.ts';
import type { Change } from '../db/runs.ts';
import { getState, setState } from '../db/state.ts';
import { treeDigest } from '../sources/digest.ts';
import { type Fetched, isUnchanged } from '../sources/types.ts';
import { checkVersion, VerifyError } from '../sources/verify.ts';
import type { ReconcilerDeps } from './reconciler.ts';
import { reassert } from './steps.ts';
import { type LkgPointer, StageFailure, type UpstreamState } from './types.ts';

/** What the last full fetch returned, so an "unchanged" answer can be served from the store. */
interface PollState {
  token?: string;
  digest: string;
}

export interface Upstream extends Fetched {
  digest: string;
  /** True when the source said nothing changed since the last poll. */
  unchanged: boolean;
}

export async function fetchUpstream(
  d: ReconcilerDeps,
  lkg: LkgPointer | null,
  changes: Change[],
): Promise<Upstream> {
  const now = new Date().toISOString();
  let result: Upstream;
  try {
    result = await fetchConditionally(d);
  } catch (err) {
    // A bundle that fails verification came from a reachable upstream: only the content is refused.
    const verify = err instanceof VerifyError;
    recordContact(d.db, verify ? { ok: true, now, changed: false } : { ok: false, now, error: err as Error });
    let message = verify ? (err as Error).message : `${d.source.kind} source: ${(err as Error).message}`;
    message += await reassertOffline(d, lkg, changes);
    throw new StageFailure(verify ? 'VerifyFailed' : 'FetchFailed', message, { cause: err });
  }
  const refused = antiRollback(d.db, result);
  const changed = !result.unchanged && result.digest !== lkg?.digest;
  // Running from an on-site upload while the upstream is down: the upstream still counts as unreachable.
  if (result.upstreamError) recordContact(d.db, { ok: false, now, error: new Error(result.upstreamError) });
  else recordContact(d.db, { ok: true, now, changed });
  if (refused) {
    const message = refused.message + (await reassertOffline(d, lkg, changes));
    throw new StageFailure('VerifyFailed', message, { cause: refused });
  }
  return result;
}

async function fetchConditionally(d: ReconcilerDeps): Promise<Upstream> {
  const poll = getState<PollState>(d.db, 'poll');
  const answer = await d.source.fetch(poll?.token ? { token: poll.token } : undefined);
  if (isUnchanged(answer) && poll) {
    const stored = revisionByDigest(d.db, poll.digest);
    if (stored) {
      if (answer.token && answer.token !== poll.token)
        setState(d.db, 'poll', { ...poll, token: answer.token });
      const files = revisionFiles(d.db, stored.id);
      const up: Upstream = { files, digest: poll.digest, unchanged: true };
      if (stored.version) up.version = stored.version;
      if (stored.signer) up.signer = stored.signer;
      return up;
    }
  }
  // Nothing to serve "unchanged" from (the revision never passed validation, or was pruned): fetch whole.
  const full = isUnchanged(answer) ? await d.source.fetch() : answer;
  const digest = treeDigest(full.files);
  setState(d.db, 'poll', { ...(full.token ? { token: full.token } : {}), digest } satisfies PollState);
  return { ...full, digest, unchanged: false };
}

/** Never accept a signed version lower than the highest one verified before; remember the highest. */
function antiRollback(db: Db, up: Upstream): VerifyError | null {
  // Only a verified bundle (it has a signer) carries a version its publisher vouches for.
  if (!up.signer || up.version === undefined || !/^\d+$/.test(up.version)) return null;
  const version = Number(up.version);
  const highest = getState<number>(db, 'highest_version');
  const refused = checkVersion(shortDigest(up.digest), version, highest);
  if (!refused && (highest === null || version > highest)) setState(db, 'highest_version', version);
  return refused;
}

function recordContact(
  db: Db,
  r: { ok: true; now: string; changed: boolean } | { ok: false; now: string; error: Error },
): void {
  const prev = getState<UpstreamState>(db, 'upstream');
  const next: UpstreamState = r.ok
    ? {
        reachable: true,
        lastContact: r.now,
        lastChange: r.changed ? r.now : (prev?.lastChange ?? null),
        unreachableSince: null,
        consecutiveFailures: 0,
        lastError: null,
      }
    : {
        reachable: false,
        lastContact: prev?.lastContact ?? null,
        lastChange: prev?.lastChange ?? null,
        unreachableSince: prev && !prev.reachable ? prev.unreachableSince : r.now,
        consecutiveFailures: (prev?.consecutiveFailures ?? 0) + 1,
        lastError: r.error.message,
      };
  setState(db, 'upstream', next);
}

/** Offline is no reason to drift: a wiped or edited cluster comes back to the LKG without the cloud. */
async function reassertOffline(
  d: ReconcilerDeps,
  lkg: LkgPointer | null,
  changes: Change[],
): Promise<string> {
  const what = lkg ? `revision ${shortDigest(lkg.digest)}` : 'the empty state (no revision applied yet)';
  try {
    changes.push(...(await reassert(d, lkg)));
    return `; re-asserted ${what} from the local store`;
  } catch (err) {
    // A store that cannot give the LKG whole (StoreCorrupt) is the run's reason, not a footnote to the fetch.
    if (err instanceof StageFailure) throw err;
    return `; re-asserting ${what} failed too: ${(err as Error).message}`;
  }
}
