// PersistentVolumeClaim health: Bound is healthy; Lost is degraded; Pending waits (local-path binds on first use).
import type { Health } from './types.ts';

export function pvcHealth(obj: Record<string, unknown>): Health {
  const phase = (obj.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Bound') return { status: 'Healthy', message: 'bound' };
  if (phase === 'Lost') return { status: 'Degraded', message: 'the volume behind this claim is lost' };
  return { status: 'Progressing', message: `claim is ${phase ?? 'pending'}` };
}
