import type { Clock } from "@gofer/kernel/clock";

/**
 * Resolves with the promise's value, or with undefined once timeoutMs has passed. Rejects if the promise rejects or
 * the signal aborts. The timer is released as soon as the promise settles.
 */
export async function waitAtMost<T>(
  promise: Promise<T>,
  timeoutMs: number,
  clock: Clock,
  signal: AbortSignal,
): Promise<T | undefined> {
  const timer = new AbortController();
  const linked = AbortSignal.any([signal, timer.signal]);
  const timeout = clock.sleep(timeoutMs, linked).then(
    () => undefined,
    (error: unknown) => {
      if (signal.aborted) throw error;
      return undefined; // the timer was released because the promise settled first
    },
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    timer.abort();
  }
}

/** Sleeps until the clock reads atMs (no-op if that is past). */
export async function sleepUntil(atMs: number, clock: Clock, signal: AbortSignal): Promise<void> {
  const remainingMs = atMs - clock.now().getTime();
  if (remainingMs > 0) await clock.sleep(remainingMs, signal);
  signal.throwIfAborted();
}
