// Pod health: Running and Ready, Succeeded for run-to-completion pods; pull and crash loops are Degraded at once.

import { said } from './phrases.ts';
import { condition, type Health } from './types.ts';

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    terminated?: { reason?: string; exitCode?: number };
  };
}

/** Waiting reasons a kubelet reports that will not resolve by themselves. */
export const STUCK_REASONS = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** Restarts beyond this while crash-looping mean the pod will not come up without a change. */
export const CRASH_RESTART_BUDGET = 3;

export function containerProblem(statuses: ContainerStatus[] | undefined): string | null {
  for (const c of statuses ?? []) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && STUCK_REASONS.has(waiting.reason)) {
      return `container ${c.name}: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`;
    }
    if (waiting?.reason === 'CrashLoopBackOff' && (c.restartCount ?? 0) >= CRASH_RESTART_BUDGET) {
      return `container ${c.name}: CrashLoopBackOff after ${c.restartCount} restarts`;
    }
  }
  return null;
}

export function podHealth(obj: Record<string, unknown>): Health {
  const status = (obj.status ?? {}) as {
    phase?: string;
    reason?: string;
    message?: string;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
  const problem = containerProblem([
    ...(status.initContainerStatuses ?? []),
    ...(status.containerStatuses ?? []),
  ]);
  if (problem) return { status: 'Degraded', message: problem };
  switch (status.phase) {
    case 'Succeeded':
      return said('Healthy', 'completed');
    case 'Failed':
      return (status.message ?? status.reason)
        ? { status: 'Degraded', message: (status.message ?? status.reason) as string }
        : said('Degraded', 'podFailed');
    case 'Running': {
      const ready = condition(obj, 'Ready');
      return ready?.status === 'True'
        ? said('Healthy', 'runningReady')
        : said('Progressing', 'runningNotReady');
    }
    default:
      return said('Progressing', 'podPhase', { phase: status.phase ?? 'pending' });
  }
}
