// The fetch stage: asks the source for the desired state and records whether the upstream answered.
// When it does not, the node still re-asserts its last-known-good from SQLite, with no network at all.
import { shortDigest } from '../db/revisions.ts';
import type { Change } from '../db/runs.ts';
import { getState, setState } from '../db/state.ts';
import type { Fetched } from '../sources/types.ts';
import type { ReconcilerDeps } from './reconciler.ts';
import { reassert } from './steps.ts';
import { type LkgPointer, StageFailure, type UpstreamState } from './types.ts';

export async function fetchUpstream(
  d: ReconcilerDeps,
  lkg: LkgPointer | null,
  changes: Change[],
): Promise<Fetched> {
  const prev = getState<UpstreamState>(d.db, 'upstream');
  const now = new Date().toISOString();
  try {
    const fetched = await d.source.fetch();
    setState(d.db, 'upstream', {
      reachable: true,
      lastContact: now,
      unreachableSince: null,
      lastError: null,
    });
    return fetched;
  } catch (err) {
    const unreachableSince = prev && !prev.reachable ? prev.unreachableSince : now;
    setState(d.db, 'upstream', {
      reachable: false,
      lastContact: prev?.lastContact ?? null,
      unreachableSince,
      lastError: (err as Error).message,
    } satisfies UpstreamState);
    let message = `${d.source.kind} source ${d.source.url}: ${(err as Error).message}`;
    // Offline is no reason to drift: a wiped or edited cluster comes back to the LKG without the cloud.
    const what = lkg ? `revision ${shortDigest(lkg.digest)}` : 'the empty state (no revision applied yet)';
    try {
      changes.push(...(await reassert(d, lkg)));
      message += `; re-asserted ${what} from the local store`;
    } catch (reassertErr) {
      message += `; re-asserting ${what} failed too: ${(reassertErr as Error).message}`;
    }
    throw new StageFailure('FetchFailed', message, { cause: err });
  }
}
