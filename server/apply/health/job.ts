// Job health: Complete is healthy, Failed is degraded, anything else is still running.

import { said } from './phrases.ts';
import { condition, type Health } from './types.ts';

export function jobHealth(obj: Record<string, unknown>): Health {
  const failed = condition(obj, 'Failed');
  if (failed?.status === 'True')
    return (failed.message ?? failed.reason)
      ? { status: 'Degraded', message: (failed.message ?? failed.reason) as string }
      : said('Degraded', 'jobFailed');
  const complete = condition(obj, 'Complete');
  if (complete?.status === 'True') return said('Healthy', 'jobCompleted');
  const s = (obj.status ?? {}) as { active?: number; failed?: number };
  return said('Progressing', 'jobRunning', { n: s.active ?? 0, failed: s.failed ?? 0 });
}
