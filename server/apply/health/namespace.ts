// Namespace health: Active is healthy; Terminating means it is going away.

import { said } from './phrases.ts';
import type { Health } from './types.ts';

export function namespaceHealth(obj: Record<string, unknown>): Health {
  const phase = (obj.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Terminating') return said('Degraded', 'nsDeleting');
  return { status: 'Healthy', message: phase ?? 'Active' };
}
