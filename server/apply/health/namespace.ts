// Namespace health: Active is healthy; Terminating means it is going away.
import type { Health } from './types.ts';

export function namespaceHealth(obj: Record<string, unknown>): Health {
  const phase = (obj.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Terminating') return { status: 'Degraded', message: 'namespace is being deleted' };
  return { status: 'Healthy', message: phase ?? 'Active' };
}
