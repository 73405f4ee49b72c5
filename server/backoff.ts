// Exponential backoff with equal jitter, for everything that retries over the network (tunnel, reports).
/** Half the step is fixed, half random, so a fleet of nodes never retries in step. */
export function backoffDelay(
  attempt: number,
  { baseMs, capMs }: { baseMs: number; capMs: number },
  random: () => number = Math.random,
): number {
  const step = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (random() * step) / 2);
}
