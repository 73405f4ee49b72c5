// The health verdict every per-kind check returns.
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Unknown';

export interface Health {
  status: HealthStatus;
  message: string;
  /** The message as one of our phrases (phrases.ts), for the console to say in the reader's language. */
  say?: { key: string; params: Readonly<Record<string, string | number>> };
}

/** Worst first, as problems are listed: broken, then not knowable, then still converging, then fine. */
const SEVERITY: Record<HealthStatus, number> = { Degraded: 0, Unknown: 1, Progressing: 2, Healthy: 3 };

/** Sort comparator: the worse health first. */
export function worstFirst(a: Health, b: Health): number {
  return SEVERITY[a.status] - SEVERITY[b.status];
}

/** `related` is an object the check depends on (a HelmChart's install Job), looked up by the caller. */
export type HealthCheck = (obj: Record<string, unknown>, related?: Record<string, unknown> | null) => Health;

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export function condition(obj: Record<string, unknown>, type: string): Condition | undefined {
  const conds = (obj.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  return conds.find((c) => c.type === type);
}

/** True while the controller has not yet seen the latest spec: any status it reports is stale. */
export function staleGeneration(obj: Record<string, unknown>): boolean {
  const generation = (obj.metadata as { generation?: number } | undefined)?.generation;
  const observed = (obj.status as { observedGeneration?: number } | undefined)?.observedGeneration;
  return generation !== undefined && (observed === undefined || observed < generation);
}
