// When the cluster client asks again: a transient API failure (no answer, 5xx, 429) is retried with backoff
// and jitter, honouring Retry-After, within bounded attempts and time, before any stage sees it.

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  attempts: number;
  /** First wait; doubles with each retry (full jitter: a random wait up to it). */
  baseDelayMs: number;
  /** Longest single wait, Retry-After included: a server asking for more is not waited for. */
  maxDelayMs: number;
  /** No new attempt starts later than this after the first one. */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  budgetMs: 20_000,
};

/**
 * Statuses worth asking again: no answer at all (0), throttling (429) and the server-side errors an API server
 * or its proxy answers while restarting or overloaded. Every other status is the answer about the object.
 */
export function isTransient(status: number): boolean {
  return (
    status === 0 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504
  );
}

/** Retry-After as milliseconds (delta-seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d{1,6}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * The wait before retry number `retry` (1 = the first retry), or null to give up: attempts used up, the wait
 * asked for longer than maxDelayMs, or the time budget spent.
 */
export function retryDelay(
  policy: RetryPolicy,
  retry: number,
  elapsedMs: number,
  retryAfter: number | null,
  random: () => number = Math.random,
): number | null {
  if (retry >= policy.attempts) return null;
  const backoff = Math.min(policy.baseDelayMs * 2 ** (retry - 1), policy.maxDelayMs);
  const delay = retryAfter ?? Math.floor(random() * backoff);
  if (delay > policy.maxDelayMs || elapsedMs + delay > policy.budgetMs) return null;
  return delay;
}

/** Runs `attempt` until it answers a non-transient status or the policy gives up; the last answer or error wins. */
export async function withRetry<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  classify: (outcome: { value: T } | { error: unknown }) => {
    status: number;
    retryAfter: string | undefined;
  },
): Promise<T> {
  const started = Date.now();
  for (let retry = 1; ; retry++) {
    let outcome: { value: T } | { error: unknown };
    try {
      outcome = { value: await attempt() };
    } catch (error) {
      outcome = { error };
    }
    const { status, retryAfter } = classify(outcome);
    const delay = isTransient(status)
      ? retryDelay(policy, retry, Date.now() - started, retryAfterMs(retryAfter))
      : null;
    if (delay === null) {
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
