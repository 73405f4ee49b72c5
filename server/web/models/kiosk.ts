// The kiosk board: one colour and word for the whole box, the running revision, upstream, heat and disk, and
// what needs attention in plain words (the same causes the overview shows).
import type { Cause, NodeState } from '../../sync/node-state.ts';
import type { RevisionTitle } from '../../sync/revision-title.ts';
import type { WebDeps } from '../deps.ts';
import { type HostLevels, hostLevels, type Overall, stateOf, type Why } from './overview.ts';
import { syncPanelModel } from './sync-panel.ts';

export interface KioskModel {
  overall: Overall;
  why: Why[];
  node: NodeState;
  applied: { revision: string; version: string | null; title: RevisionTitle | null; at: string } | null;
  upstream: {
    reachable: boolean | null;
    broken: boolean;
    brokenSince: string | null;
    lastContact: string | null;
    unreachableSince: string | null;
  };
  running: { stage: string | null } | null;
  temp: number | null;
  diskShare: number | null;
  levels: HostLevels;
  causes: Cause[];
  moreCauses: number;
  generatedAt: string;
}

export const KIOSK_CAUSES_SHOWN = 5;

export function kioskModel(deps: WebDeps, now = new Date()): KioskModel {
  const sync = syncPanelModel(deps, now);
  const state = stateOf(deps, sync);
  const sample = deps.host?.now()?.sample ?? null;
  const s = sync.status;
  const causes = state.node.causes;
  return {
    ...state,
    applied: s.applied
      ? {
          revision: s.applied.revision,
          version: s.applied.version,
          title: s.applied.title ?? null,
          at: s.applied.at,
        }
      : null,
    upstream: {
      reachable: s.upstream.reachable,
      broken: s.upstream.broken,
      brokenSince: s.upstream.brokenSince,
      lastContact: s.upstream.lastContact,
      unreachableSince: s.upstream.unreachableSince,
    },
    running: sync.progress.running ? { stage: sync.progress.stage } : null,
    temp: sample?.temp ?? null,
    diskShare:
      sample?.diskUsed !== null && sample?.diskTotal ? (sample.diskUsed ?? 0) / sample.diskTotal : null,
    levels: hostLevels(sample),
    causes: causes.slice(0, KIOSK_CAUSES_SHOWN),
    moreCauses: Math.max(0, causes.length - KIOSK_CAUSES_SHOWN),
    generatedAt: now.toISOString(),
  };
}
