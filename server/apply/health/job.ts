// Job health: Complete is healthy, Failed is degraded, anything else is still running.
import { condition, type Health } from './types.ts';

export function jobHealth(obj: Record<string, unknown>): Health {
  const failed = condition(obj, 'Failed');
  if (failed?.status === 'True')
    return { status: 'Degraded', message: failed.message ?? failed.reason ?? 'job failed' };
  const complete = condition(obj, 'Complete');
  if (complete?.status === 'True') return { status: 'Healthy', message: 'job completed' };
  const s = (obj.status ?? {}) as { active?: number; failed?: number };
  return { status: 'Progressing', message: `${s.active ?? 0} running, ${s.failed ?? 0} failed attempts` };
}
