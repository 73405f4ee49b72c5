// K3s HelmChart health: K3s's helm-controller runs an install Job and names it in status.jobName; the chart is
// healthy when that Job succeeded. The Job is looked up by the caller and passed in as `related`.
import { jobHealth } from './job.ts';
import { said } from './phrases.ts';
import { condition, type Health } from './types.ts';

export function helmChartJobName(obj: Record<string, unknown>): string | null {
  return (obj.status as { jobName?: string } | undefined)?.jobName ?? null;
}

export function helmChartHealth(
  obj: Record<string, unknown>,
  related?: Record<string, unknown> | null,
): Health {
  const failed = condition(obj, 'Failed');
  if (failed?.status === 'True')
    return failed.message ? { status: 'Degraded', message: failed.message } : said('Degraded', 'helmFailed');
  const jobName = helmChartJobName(obj);
  if (!jobName) return said('Progressing', 'helmWaiting');
  if (!related) return said('Progressing', 'helmJobWaiting', { name: jobName });
  const job = jobHealth(related);
  return { status: job.status, message: `install job ${jobName}: ${job.message}` };
}
