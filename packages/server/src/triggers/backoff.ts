// Bounded exponential backoff with jitter: attempt 1 waits about initialMs, each further attempt doubles, never more
// than maxMs. Jitter spreads retries of many triggers that failed together (a daemon restart, say).

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + random() * 0.5));
}
