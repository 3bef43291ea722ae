// Liveness of a running trigger. A parked Watch has no deadline, so a trigger that hangs (SIGSTOP, a deadlock, a
// frozen container) would otherwise stop every schedule on it without a sign. While it runs, the supervisor calls Info
// every intervalMs with a deadline of timeoutMs; `misses` failures in a row mean the trigger is hung, and the
// supervisor marks it UNKNOWN, records why and restarts it. Any answer resets the count.
//
// Worst case from hang to detection: intervalMs + misses × (timeoutMs + intervalMs) - intervalMs, i.e. with the
// defaults (2 s, 2 s, 3 misses) 2 + 3 × 2 + 2 × 2 = 12 s.
import type { Clock } from "@gofer/kernel";
import { errorMessage } from "../errors.js";

export interface LivenessPolicy {
  /** Pause between checks. 0 turns liveness checks off. */
  intervalMs: number;
  /** Deadline of one Info call. */
  timeoutMs: number;
  /** Failed checks in a row before the trigger counts as hung. */
  misses: number;
}

export const DEFAULT_LIVENESS: LivenessPolicy = { intervalMs: 2_000, timeoutMs: 2_000, misses: 3 };

/** Calls probe within timeoutMs on the clock; rejects with a message that says the deadline passed. */
export async function probeWithin<T>(probe: () => Promise<T>, timeoutMs: number, clock: Clock, signal: AbortSignal) {
  const timer = new AbortController();
  const stop = AbortSignal.any([signal, timer.signal]);
  try {
    return await Promise.race([
      probe(),
      clock.sleep(timeoutMs, stop).then(() => {
        throw new Error(`no answer to Info within ${timeoutMs} ms`);
      }),
    ]);
  } finally {
    timer.abort();
  }
}

/**
 * Checks until the signal aborts (resolves undefined) or the trigger misses `misses` checks in a row (resolves with why).
 * onMiss is told of each failed check (for a log line and the UNKNOWN state); onAnswer of an answer after a miss.
 */
export async function watchLiveness(options: {
  probe: () => Promise<unknown>;
  policy: LivenessPolicy;
  clock: Clock;
  signal: AbortSignal;
  onMiss?: (miss: number, error: string) => void;
  onAnswer?: () => void;
}): Promise<string | undefined> {
  const { probe, policy, clock, signal } = options;
  if (policy.intervalMs <= 0) return undefined;
  let misses = 0;
  while (!signal.aborted) {
    try {
      await clock.sleep(policy.intervalMs, signal);
    } catch {
      return undefined;
    }
    try {
      await probeWithin(probe, policy.timeoutMs, clock, signal);
      if (misses > 0) options.onAnswer?.();
      misses = 0;
    } catch (error) {
      if (signal.aborted) return undefined;
      misses += 1;
      const message = errorMessage(error);
      options.onMiss?.(misses, message);
      if (misses >= Math.max(1, policy.misses)) {
        return `did not answer ${misses} liveness checks in a row (${policy.timeoutMs} ms each, every ${policy.intervalMs} ms); last: ${message}`;
      }
    }
  }
  return undefined;
}
