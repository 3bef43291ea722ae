// Waits for a freshly started trigger to answer Info (spec §2.3: 30 attempts, 300 ms apart, by default). Unlike the
// original, an Info that fails with CANCELLED is a failure like any other (spec §7 #24), never a silent success.
import type { Clock } from "@gofer/kernel";
import { errorMessage } from "../errors.js";

export interface ReadinessPolicy {
  attempts: number;
  delayMs: number;
}

export class TriggerNotReadyError extends Error {
  override name = "TriggerNotReadyError";
}

/**
 * Polls quickly at first (a trigger usually answers within a few hundred ms) and settles at policy.delayMs, within the
 * original's budget of attempts × delayMs (30 × 300 ms = 9 s by default).
 */
export async function waitForReady<T>(
  info: () => Promise<T>,
  policy: ReadinessPolicy,
  clock: Clock,
  signal: AbortSignal,
): Promise<T> {
  const budgetMs = policy.attempts * policy.delayMs;
  const startedMs = clock.now().getTime();
  let lastError = "";
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    try {
      return await info();
    } catch (error) {
      lastError = errorMessage(error);
    }
    const elapsedMs = clock.now().getTime() - startedMs;
    if (elapsedMs >= budgetMs || attempt >= policy.attempts * 8) break;
    const delayMs = Math.min(policy.delayMs, 25 * 2 ** (attempt - 1), budgetMs - elapsedMs);
    await clock.sleep(delayMs, signal);
  }
  throw new TriggerNotReadyError(
    `trigger did not answer Info within ${budgetMs} ms (${policy.attempts} attempts × ${policy.delayMs} ms); last error: ${lastError}`,
  );
}
